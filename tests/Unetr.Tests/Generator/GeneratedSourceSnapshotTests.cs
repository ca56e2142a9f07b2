using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Unetr.Tests.Snapshots;
using Xunit;

namespace Unetr.Tests.Generator;

/// <summary>
/// The generated source of every preset and of one variant per DSL axis, compared with the committed
/// <c>GeneratedSourceSnapshotTests.*.verified.cs</c> beside this file. A change to the emitter shows up as a reviewable diff.
/// </summary>
public sealed class GeneratedSourceSnapshotTests
{
    private const string Usings = "using Unetr.Dsl;\n";

    // Read from the Unetr.Model source rather than copied, so the snapshots follow the presets that ship.
    private static readonly string PresetDeclarations = RepositoryFiles.ReadAllText("src", "Unetr.Model", "Presets", "Presets.cs");

    private static readonly Dictionary<string, (string Source, string HintName)> VariantDeclarations = new()
    {
        ["Monai2D"] = (Usings + """
            namespace Demo;

            [Unetr(ImageSize = new[] { 64, 48 }, InChannels = 3, OutChannels = 2)]
            [PatchEmbedding(PatchSize = 16)]
            [Encoder(EmbedDim = 32, Depth = 4, Heads = 4, MlpDim = 64)]
            [Decoder(Widths = new[] { 4, 8, 16, 32 })]
            public partial class Monai2D;
            """, "Demo.Monai2D.g.cs"),
        ["Patch8"] = (Usings + """
            namespace Demo;

            [Unetr(ImageSize = new[] { 16, 16, 32 }, InChannels = 1, OutChannels = 3)]
            [PatchEmbedding(PatchSize = 8)]
            [Encoder(EmbedDim = 24, Depth = 3, Heads = 3, MlpDim = 48)]
            [Decoder(Widths = new[] { 4, 8, 16 })]
            public partial class Patch8;
            """, "Demo.Patch8.g.cs"),
        ["Patch32"] = (Usings + """
            namespace Demo;

            [Unetr(ImageSize = new[] { 64, 32, 32 }, InChannels = 1, OutChannels = 2)]
            [PatchEmbedding(PatchSize = 32)]
            [Encoder(EmbedDim = 24, Depth = 5, Heads = 3, MlpDim = 48, Activation = MlpActivation.Relu, FinalNorm = false)]
            [Decoder(Widths = new[] { 2, 4, 8, 16, 32 })]
            public partial class Patch32;
            """, "Demo.Patch32.g.cs"),
        ["Nested"] = (Usings + """
            namespace Demo.Models;

            public static partial class Zoo
            {
                public partial record Cage
                {
                    [Unetr(ImageSize = new[] { 32, 32 }, InChannels = 1, OutChannels = 1)]
                    [PatchEmbedding(PatchSize = 16)]
                    [Encoder(EmbedDim = 16, Depth = 4, Heads = 2)]
                    [Decoder(Widths = new[] { 2, 4, 8, 16 })]
                    public partial class Nested;
                }
            }
            """, "Demo.Models.Zoo.Cage.Nested.g.cs"),
        ["GlobalNamespace"] = (Usings + """
            [Unetr(ImageSize = new[] { 32, 32, 32 }, InChannels = 1, OutChannels = 2)]
            [PatchEmbedding(PatchSize = 16)]
            [Encoder(EmbedDim = 16, Depth = 4, Heads = 2, MlpDim = 32)]
            [Decoder(Widths = new[] { 2, 4, 8, 16 })]
            public partial class GlobalNet;
            """, "GlobalNet.g.cs"),
        ["PerceptronBatchPlain"] = (Usings + """
            namespace Demo;

            [Unetr(Layout = UnetrLayout.Monai, ImageSize = new[] { 32, 32, 32 }, InChannels = 2, OutChannels = 2)]
            [PatchEmbedding(PatchSize = 16, Projection = PatchProjection.Perceptron)]
            [Encoder(EmbedDim = 32, Depth = 4, Heads = 2, MlpDim = 64, QkvBias = true)]
            [Decoder(Widths = new[] { 4, 8, 16, 32 }, Norm = NormKind.Batch, Residual = false)]
            public partial class PerceptronBatchPlain;
            """, "Demo.PerceptronBatchPlain.g.cs"),
        ["Seed2D"] = (Usings + """
            namespace Demo;

            [Unetr(Layout = UnetrLayout.Seed, ImageSize = new[] { 32, 64 }, InChannels = 1, OutChannels = 2)]
            [PatchEmbedding(PatchSize = 16)]
            [Encoder(EmbedDim = 32, Depth = 8, Heads = 4, MlpDim = 64, ExtractLayers = new[] { 2, 4, 6, 8 }, Dropout = 0.1)]
            [Decoder(Widths = new[] { 4, 8, 16, 32 }, StemWidth = 2)]
            public partial class Seed2D;
            """, "Demo.Seed2D.g.cs"),
    };

    private static readonly string[] PresetNames = { "SeedUnetr", "MonaiBtcvUnetr", "TinyMonaiUnetr" };

    public static TheoryData<string> Presets => new(PresetNames);

    public static TheoryData<string> Variants => new(VariantDeclarations.Keys);

    [Theory]
    [MemberData(nameof(Presets))]
    public void Preset_source_matches_its_snapshot(string preset)
    {
        // Unetr.Model, which the harness references for the blocks, already contains these classes: compiling their
        // declarations again makes every use of the name a CS0436 "conflicts with the imported type" warning.
        var compilation = GeneratorHarness.Compile(PresetDeclarations);
        compilation = compilation.WithOptions(compilation.Options.WithSpecificDiagnosticOptions(
            new Dictionary<string, ReportDiagnostic> { ["CS0436"] = ReportDiagnostic.Suppress }));

        var run = CleanRun(GeneratorHarness.Run(GeneratorHarness.CreateDriver(), compilation));

        Assert.Equal(PresetNames.Length + 1, run.Sources.Length);
        Snapshot.VerifyCSharp(run.Source($"Unetr.Model.Presets.{preset}.g.cs"), preset);
    }

    [Fact]
    public void Preset_catalog_matches_its_snapshot()
    {
        var compilation = GeneratorHarness.Compile(PresetDeclarations).WithAssemblyName("Unetr.Presets");
        compilation = compilation.WithOptions(compilation.Options.WithSpecificDiagnosticOptions(
            new Dictionary<string, ReportDiagnostic> { ["CS0436"] = ReportDiagnostic.Suppress }));

        var run = CleanRun(GeneratorHarness.Run(GeneratorHarness.CreateDriver(), compilation));

        Snapshot.VerifyCSharp(run.Source("Unetr.Presets.DeclaredNetworks.g.cs"));
    }

    [Fact]
    public void Catalog_lists_the_networks_it_can_construct_in_declaration_order()
    {
        // The assembly name becomes the namespace; '-' and a leading digit are not allowed in one.
        var compilation = GeneratorHarness.Compile(CatalogDeclarations).WithAssemblyName("My-Host.2d");

        var run = CleanRun(GeneratorHarness.Run(GeneratorHarness.CreateDriver(), compilation));

        Snapshot.VerifyCSharp(run.Source("My_Host._2d.DeclaredNetworks.g.cs"));
    }

    [Fact]
    public void An_assembly_without_valid_networks_gets_no_catalog()
    {
        var run = GeneratorHarness.Run(Usings + """
            namespace Demo;

            public partial class Zoo
            {
                [Unetr(ImageSize = new[] { 32, 32 }, InChannels = 1, OutChannels = 2)]
                [PatchEmbedding(PatchSize = 16)]
                [Encoder(EmbedDim = 16, Depth = 4, Heads = 2)]
                [Decoder(Widths = new[] { 2, 4, 8, 16 })]
                private partial class Hidden;
            }
            """);

        Assert.True(run.CompilationProblems.Count == 0, GeneratorHarness.Format(run.CompilationProblems));
        Assert.Equal(new[] { "Demo.Zoo.Hidden.g.cs" }, run.Sources.Select(s => s.HintName));
    }

    // Public and internal classes, nested or not, in a namespace or the global one, a keyword name; not a private nested
    // class (the catalog could not name it) nor an abstract one (it could not construct it).
    private const string CatalogDeclarations = Usings + """
        [Unetr(ImageSize = new[] { 32, 32 }, InChannels = 1, OutChannels = 2)]
        [PatchEmbedding(PatchSize = 16)]
        [Encoder(EmbedDim = 16, Depth = 4, Heads = 2)]
        [Decoder(Widths = new[] { 2, 4, 8, 16 })]
        internal partial class GlobalNet;

        namespace Demo.Models
        {
            [Unetr(ImageSize = new[] { 32, 32 }, InChannels = 1, OutChannels = 2)]
            [PatchEmbedding(PatchSize = 16)]
            [Encoder(EmbedDim = 16, Depth = 4, Heads = 2)]
            [Decoder(Widths = new[] { 2, 4, 8, 16 })]
            public partial class @event;

            public partial class Zoo
            {
                [Unetr(ImageSize = new[] { 32, 32 }, InChannels = 1, OutChannels = 2)]
                [PatchEmbedding(PatchSize = 16)]
                [Encoder(EmbedDim = 16, Depth = 4, Heads = 2)]
                [Decoder(Widths = new[] { 2, 4, 8, 16 })]
                internal partial class Inner;

                [Unetr(ImageSize = new[] { 32, 32 }, InChannels = 1, OutChannels = 2)]
                [PatchEmbedding(PatchSize = 16)]
                [Encoder(EmbedDim = 16, Depth = 4, Heads = 2)]
                [Decoder(Widths = new[] { 2, 4, 8, 16 })]
                private partial class Hidden;
            }

            [Unetr(ImageSize = new[] { 32, 32 }, InChannels = 1, OutChannels = 2)]
            [PatchEmbedding(PatchSize = 16)]
            [Encoder(EmbedDim = 16, Depth = 4, Heads = 2)]
            [Decoder(Widths = new[] { 2, 4, 8, 16 })]
            public abstract partial class Base;
        }
        """;

    [Theory]
    [MemberData(nameof(Variants))]
    public void Variant_source_matches_its_snapshot(string variant)
    {
        var (source, hintName) = VariantDeclarations[variant];

        var run = CleanRun(GeneratorHarness.Run(source));

        Snapshot.VerifyCSharp(run.Source(hintName), variant);
    }

    /// <summary>What every generator test requires of a run: no diagnostics, and the output compiles cleanly.</summary>
    private static GeneratorRun CleanRun(GeneratorRun run)
    {
        Assert.True(run.GeneratorDiagnostics.IsEmpty, GeneratorHarness.Format(run.GeneratorDiagnostics));
        Assert.True(run.CompilationProblems.Count == 0, GeneratorHarness.Format(run.CompilationProblems));
        Assert.NotEmpty(run.Sources);
        return run;
    }
}
