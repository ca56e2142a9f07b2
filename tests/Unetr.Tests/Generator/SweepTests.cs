using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Unetr.Tests.Snapshots;
using Xunit;

namespace Unetr.Tests.Generator;

/// <summary>
/// [Sweep] expands a baseline into variant classes nested in it, each validated like a declaration of its own: names,
/// values replacing written arguments before defaults resolve, one factor at a time or a grid, located errors naming the
/// variant and the rule, the catalog's sweep metadata and the generated source (IncrementalTests cover the caching).
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
        ("checkpointing is not a network property", Swept("[Sweep([|nameof(EncoderAttribute.Checkpointing)|], true)]"),
            "UNETR021", "[Sweep] names 'Checkpointing', which changes how the backward pass is computed, not the network, so no sweep varies it"),
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

    private static IEnumerable<string> VariantNames(GeneratorRun run) => run.Sources.Select(s => s.HintName)
        .Where(h => h.StartsWith("Demo.Swept.", System.StringComparison.Ordinal) && h != "Demo.Swept.g.cs")
        .Select(h => h["Demo.Swept.".Length..^".g.cs".Length]);
}
