using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Unetr.Generators;
using Unetr.Generators.Model;
using Unetr.Tests.Snapshots;
using Xunit;

namespace Unetr.Tests.Generator;

/// <summary>
/// [Sweep] expands a baseline into variant classes nested in it, each validated like a declaration of its own: names,
/// values replacing written arguments before defaults resolve, one factor at a time or a grid, located errors naming the
/// variant and the rule, the catalog's sweep metadata, the generated source and the pipeline's caching.
/// </summary>
public sealed class SweepTests
{
    private const string Usings = "using Unetr.Dsl;\nnamespace Demo;\n";

    private static string Swept(string sweeps, string unetr = "ImageSize = new[] { 32, 32, 32 }, InChannels = 1, OutChannels = 3", string encoder = "EmbedDim = 48, Depth = 4, Heads = 4") =>
        Usings + $"""
            [Unetr({unetr})]
            [PatchEmbedding(PatchSize = 16)]
            [Encoder({encoder})]
            [Decoder(Widths = new[] {"{"} 8, 16, 32, 64 {"}"})]
            {sweeps}
            public partial class Swept;
            """;

    private static GeneratorRun Clean(string source)
    {
        var run = GeneratorHarness.Run(source);
        Assert.True(run.GeneratorDiagnostics.IsEmpty, GeneratorHarness.Format(run.GeneratorDiagnostics));
        Assert.True(run.CompilationProblems.Count == 0, GeneratorHarness.Format(run.CompilationProblems));
        return run;
    }

    private static long Constant(GeneratorRun run, string metadataName, string field) =>
        (long)run.Output.GetTypeByMetadataName(metadataName)!.GetMembers(field).OfType<IFieldSymbol>().Single().ConstantValue!;

    [Fact]
    public void One_factor_at_a_time_nests_one_public_class_per_value_in_the_baseline()
    {
        var run = Clean(Swept("[Sweep(nameof(EncoderAttribute.Depth), 6, 8)]\n[Sweep(\"Decoder.Norm\", NormKind.Batch)]"));

        Assert.Equal(
            new[] { "Demo.Swept.g.cs", "Demo.Swept.Depth6.g.cs", "Demo.Swept.Depth8.g.cs", "Demo.Swept.NormBatch.g.cs", "UserAssembly.DeclaredNetworks.g.cs" },
            run.Sources.Select(s => s.HintName));
        var depth8 = run.Output.GetTypeByMetadataName("Demo.Swept+Depth8")!;
        Assert.Equal(Accessibility.Public, depth8.DeclaredAccessibility);
        Assert.Contains(depth8.AllInterfaces, i => i.Name == "ICompiledNetwork");

        // Four more blocks of width 48 and MLP 192 (MONAI's default 4 × EmbedDim follows the sweep): LayerNorms 4·48,
        // qkv 3·48², projection 48² + 48, MLP 2·48·192 + 192 + 48.
        const long block = 4 * 48 + 3 * 48 * 48 + 48 * 48 + 48 + 2 * 48 * 192 + 192 + 48;
        Assert.Equal(4 * block, Constant(run, "Demo.Swept+Depth8", "ParameterCount") - Constant(run, "Demo.Swept", "ParameterCount"));
    }

    [Fact]
    public void A_variant_resolves_the_defaults_the_baseline_left_unwritten()
    {
        // The seed layout's own defaults (MLP 2048, batch norm, plain blocks, a stem) replace MONAI's: no UNETR017.
        var run = Clean(Swept("[Sweep(nameof(UnetrAttribute.Layout), UnetrLayout.Seed)]"));

        var rows = run.Output.GetTypeByMetadataName("Demo.Swept+LayoutSeed")!;
        Assert.NotNull(rows);
        Assert.Contains("transformer", run.Source("Demo.Swept.LayoutSeed.g.cs"), System.StringComparison.Ordinal);
        Assert.Contains("new global::Unetr.Model.Presets.SweepSetting(\"Layout\", \"Seed\")", run.Source("UserAssembly.DeclaredNetworks.g.cs"), System.StringComparison.Ordinal);
    }

    [Fact]
    public void A_grid_has_one_variant_per_combination_named_by_all_its_values()
    {
        var run = Clean(Swept("[SweepGrid]\n[Sweep(\"Encoder.Depth\", 6, 8)]\n[Sweep(nameof(PatchEmbeddingAttribute.PatchSize), 8, With = new object[] { nameof(DecoderAttribute.Widths), new[] { 4, 8, 16 } })]"));

        Assert.Equal(
            new[] { "Depth6_PatchSize8", "Depth8_PatchSize8" },
            VariantNames(run));
        Assert.Contains(
            "SweepVariant(\"Swept\", new global::Unetr.Model.Presets.SweepSetting[] { new global::Unetr.Model.Presets.SweepSetting(\"Depth\", \"8\"), new global::Unetr.Model.Presets.SweepSetting(\"PatchSize\", \"8\"), new global::Unetr.Model.Presets.SweepSetting(\"Widths\", \"[4, 8, 16]\") })",
            run.Source("UserAssembly.DeclaredNetworks.g.cs"),
            System.StringComparison.Ordinal);
    }

    [Fact]
    public void Values_of_every_kind_get_valid_deterministic_names()
    {
        var run = Clean(Swept(
            "[Sweep(nameof(EncoderAttribute.Dropout), 0.25, 1)]\n[Sweep(nameof(DecoderAttribute.Residual), false)]\n" +
            "[Sweep(nameof(DecoderAttribute.Widths), new[] { 4, 8, 16, 32 })]\n[Sweep(nameof(EncoderAttribute.ExtractLayers), new object[] { new[] { 1, 2, 3, 6 } })]",
            encoder: "EmbedDim = 48, Depth = 6, Heads = 4"));

        Assert.Equal(
            new[] { "Dropout0_25", "Dropout1", "ResidualFalse", "Widths4_8_16_32", "ExtractLayers1_2_3_6" },
            VariantNames(run));
    }

    public static IEnumerable<object[]> Impossible => new (string Name, string Source, string Id, string Message)[]
    {
        ("patch 32 on 48³", Swept("[Sweep(nameof(PatchEmbeddingAttribute.PatchSize), [|32|], With = new object[] { nameof(DecoderAttribute.Widths), new[] { 8, 16, 32, 64, 128 } })]", unetr: "ImageSize = new[] { 48, 32, 32 }, InChannels = 1, OutChannels = 3", encoder: "EmbedDim = 48, Depth = 6, Heads = 4"),
            "UNETR023", "Sweep variant 'Swept.PatchSize32' (PatchSize = 32, Widths = [8, 16, 32, 64, 128]) is impossible: ImageSize[0] = 48 is not divisible by PatchSize 32; the nearest valid sizes are 32 and 64 (UNETR008)"),
        ("depth below an extract layer", Swept("[Sweep(nameof(EncoderAttribute.Depth), [|3|])]", encoder: "EmbedDim = 48, Depth = 4, Heads = 4, ExtractLayers = new[] { 1, 2, 3, 4 }"),
            "UNETR023", "Sweep variant 'Swept.Depth3' (Depth = 3) is impossible: ExtractLayers entry 4 is outside 1..3 (Depth) (UNETR011)"),
        ("qualifier names the wrong attribute", Swept("[Sweep([|\"Decoder.Depth\"|], 6)]"),
            "UNETR021", "[Sweep] names 'Decoder.Depth'"),
        ("enum written as an int", Swept("[Sweep(nameof(DecoderAttribute.Norm), [|0|])]"),
            "UNETR022", "[Sweep(Norm)] value 0 is of type int; Norm takes a NormKind value, e.g. NormKind.Batch"),
        ("companion value of the wrong type", Swept("[Sweep(nameof(PatchEmbeddingAttribute.PatchSize), 8, With = new object[] { nameof(DecoderAttribute.Widths), [|4|] })]"),
            "UNETR022", "[Sweep(Widths)] value 4 is of type int; Widths takes an int[], e.g. new[] { 8, 16, 32 }"),
        ("companion sets the swept property", Swept("[Sweep(nameof(EncoderAttribute.Depth), 6, With = new object[] { [|\"Depth\"|], 8 })]"),
            "UNETR026", "but it sets Depth, the property this [Sweep] varies"),
        ("one of explicit object[] values", Swept("[Sweep(nameof(EncoderAttribute.Depth), new object[] { 6, [|true|] })]"),
            "UNETR022", "[Sweep(Depth)] value true is of type bool; Depth takes an int"),
        ("no values", Swept("[[|Sweep(nameof(EncoderAttribute.Depth))|]]"),
            "UNETR025", "[Sweep(Depth)] lists no values"),
        ("named like a member of the class", Usings + """
            [Unetr(ImageSize = new[] { 32, 32, 32 }, InChannels = 1, OutChannels = 3)]
            [PatchEmbedding(PatchSize = 16)]
            [Encoder(EmbedDim = 48, Depth = 4, Heads = 4)]
            [Decoder(Widths = new[] { 8, 16, 32, 64 })]
            [Sweep(nameof(EncoderAttribute.Depth), [|6|])]
            public partial class Swept { public const int Depth6 = 6; }
            """, "UNETR024", "the class already has a member named 'Depth6'"),
    }.Select(c => new object[] { c.Name, c.Source, c.Id, c.Message });

    [Theory]
    [MemberData(nameof(Impossible))]
    public void An_impossible_sweep_is_one_error_on_the_value_or_argument_that_makes_it(string name, string marked, string id, string message)
    {
        var markup = Markup.Parse(marked);

        var run = GeneratorHarness.Run(markup.Source);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.True(id == diagnostic.Id, $"{name}: {diagnostic}");
        Assert.Equal(markup.Span, diagnostic.Location.SourceSpan);
        Assert.Contains(message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), System.StringComparison.Ordinal);
    }

    [Fact]
    public void Variants_of_an_invalid_baseline_are_not_reported_again()
    {
        var run = GeneratorHarness.Run(Swept("[Sweep(nameof(EncoderAttribute.Depth), 6, 8)]", encoder: "EmbedDim = 48, Depth = 4, Heads = 5"));

        Assert.Equal(new[] { "UNETR009" }, run.GeneratorDiagnostics.Select(d => d.Id));
    }

    [Fact]
    public void A_sweep_variant_matches_its_snapshot()
    {
        var run = Clean(Swept("[Sweep(nameof(EncoderAttribute.EmbedDim), 64, With = new object[] { nameof(EncoderAttribute.MlpDim), 96 })]"));

        Snapshot.VerifyCSharp(run.Source("Demo.Swept.EmbedDim64.g.cs"), "EmbedDim64");
        Snapshot.VerifyCSharp(run.Source("UserAssembly.DeclaredNetworks.g.cs"), "Catalog");
    }

    private const string Other = """
        using Unetr.Dsl;
        namespace Demo;

        [Unetr(ImageSize = new[] { 32, 32 }, InChannels = 1, OutChannels = 2)]
        [PatchEmbedding(PatchSize = 16)]
        [Encoder(EmbedDim = 16, Depth = 4, Heads = 2)]
        [Decoder(Widths = new[] { 2, 4, 8, 16 })]
        public partial class Other;
        """;

    private static readonly IncrementalStepRunReason[] Reused = { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged };

    [Fact]
    public void Editing_one_sweep_value_emits_that_variant_only_and_adding_a_file_recomputes_nothing()
    {
        var source = Swept("[Sweep(nameof(EncoderAttribute.Depth), 6, 8)]");
        var compilation = GeneratorHarness.Compile(source, Other);
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);

        var edited = Rerun(ref driver, Replace(compilation, "File0.cs", source.Replace("6, 8)]", "6, 10)]")));

        Assert.Contains(EmitReason(edited, "Demo.Swept.g.cs"), Reused);
        Assert.Contains(EmitReason(edited, "Demo.Swept.Depth6.g.cs"), Reused);
        Assert.Contains(EmitReason(edited, "Demo.Other.g.cs"), Reused);
        Assert.DoesNotContain(EmitReason(edited, "Demo.Swept.Depth10.g.cs"), Reused);
        Assert.Equal(IncrementalStepRunReason.Modified, Outputs(edited, StepNames.EmitCatalog).Single().Reason);
        Assert.DoesNotContain(edited.GeneratedSources, s => s.HintName == "Demo.Swept.Depth8.g.cs");

        var unrelated = CSharpSyntaxTree.ParseText("namespace Demo;\ninternal static class More { }\n", GeneratorHarness.ParseOptions, path: "More.cs");
        var again = Rerun(ref driver, Replace(compilation, "File0.cs", source.Replace("6, 8)]", "6, 10)]")).AddSyntaxTrees(unrelated));

        foreach (var step in new[] { StepNames.Parse, StepNames.Validate, StepNames.Diagnostics, StepNames.ValidNetworks, StepNames.Emit, StepNames.CatalogEntries, StepNames.Catalog, StepNames.EmitCatalog })
        {
            Assert.All(Outputs(again, step), output => Assert.Contains(output.Reason, Reused));
        }

        Assert.Equal(4, Outputs(again, StepNames.ValidNetworks).Count());
    }

    [Fact]
    public void Editing_the_baseline_re_emits_its_variants_and_leaves_the_catalog_cached()
    {
        var source = Swept("[Sweep(nameof(EncoderAttribute.Depth), 6, 8)]");
        var compilation = GeneratorHarness.Compile(source, Other);
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);

        var edited = Rerun(ref driver, Replace(compilation, "File0.cs", source.Replace("OutChannels = 3", "OutChannels = 5")));

        Assert.Equal(IncrementalStepRunReason.Modified, EmitReason(edited, "Demo.Swept.Depth6.g.cs"));
        Assert.Equal(IncrementalStepRunReason.Modified, EmitReason(edited, "Demo.Swept.Depth8.g.cs"));
        Assert.Contains(EmitReason(edited, "Demo.Other.g.cs"), Reused);
        Assert.All(Outputs(edited, StepNames.EmitCatalog), output => Assert.Contains(output.Reason, Reused));
    }

    [Fact]
    public void Parsing_a_sweep_twice_gives_equal_values_with_equal_hashes()
    {
        var source = Swept("[SweepGrid]\n[Sweep(nameof(EncoderAttribute.Depth), 6, 8)]\n[Sweep(nameof(DecoderAttribute.Widths), new[] { 4, 8, 16, 32 })]");

        var first = Outputs(GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(GeneratorHarness.Compile(source)).GetRunResult().Results.Single(), StepNames.Parse).Select(o => o.Value).ToList();
        var second = Outputs(GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(GeneratorHarness.Compile(source)).GetRunResult().Results.Single(), StepNames.Parse).Select(o => o.Value).ToList();

        Assert.Equal(2, ((ParsedDeclaration)first.Single()).Sweeps!.Variants.Count);
        Assert.Equal(first, second);
        Assert.Equal(first.Select(v => v.GetHashCode()), second.Select(v => v.GetHashCode()));
    }

    private static IEnumerable<string> VariantNames(GeneratorRun run) => run.Sources.Select(s => s.HintName)
        .Where(h => h.StartsWith("Demo.Swept.", System.StringComparison.Ordinal) && h != "Demo.Swept.g.cs")
        .Select(h => h["Demo.Swept.".Length..^".g.cs".Length]);

    private static GeneratorRunResult Rerun(ref GeneratorDriver driver, Compilation edited)
    {
        driver = driver.RunGenerators(edited);
        var result = driver.GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        return result;
    }

    private static Compilation Replace(Compilation compilation, string path, string text)
    {
        var old = compilation.SyntaxTrees.Single(t => t.FilePath == path);
        return compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(text, GeneratorHarness.ParseOptions, path: path));
    }

    private static IEnumerable<(object Value, IncrementalStepRunReason Reason)> Outputs(GeneratorRunResult result, string step) =>
        result.TrackedSteps[step].SelectMany(run => run.Outputs);

    private static IncrementalStepRunReason EmitReason(GeneratorRunResult result, string hintName) =>
        Outputs(result, StepNames.Emit).Single(o => o.Value is GeneratedFile file && file.HintName == hintName).Reason;
}
