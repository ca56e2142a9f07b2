using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Unetr.Generators;
using Unetr.Generators.Model;
using Xunit;

namespace Unetr.Tests.Generator;

/// <summary>
/// The pipeline caches as designed: edits that do not touch a declaration redo no work downstream of parsing, an
/// attribute edit regenerates only its own class, and parsing is deterministic (equal specs, equal hashes).
/// </summary>
public sealed class IncrementalTests
{
    private static readonly string[] PipelineSteps =
    {
        StepNames.Parse, StepNames.Validate, StepNames.Diagnostics, StepNames.ValidNetworks, StepNames.Emit,
        StepNames.CatalogEntries, StepNames.Catalog, StepNames.EmitCatalog,
    };

    private const string CatalogHint = "UserAssembly.DeclaredNetworks.g.cs";

    private const string FirstNetwork = """
        using Unetr.Dsl;
        namespace Demo;

        [Unetr(ImageSize = new[] { 32, 32, 32 }, InChannels = 1, OutChannels = 3)]
        [PatchEmbedding(PatchSize = 16)]
        [Encoder(EmbedDim = 48, Depth = 4, Heads = 4, MlpDim = 96)]
        [Decoder(Widths = new[] { 8, 16, 32, 64 })]
        public partial class FirstNet;
        """;

    private const string SecondNetwork = """
        using Unetr.Dsl;
        namespace Demo;

        [Unetr(Layout = UnetrLayout.Seed, ImageSize = new[] { 32, 64 }, InChannels = 1, OutChannels = 2)]
        [PatchEmbedding(PatchSize = 16)]
        [Encoder(EmbedDim = 32, Depth = 4, Heads = 4, MlpDim = 64)]
        [Decoder(Widths = new[] { 4, 8, 16, 32 })]
        public partial class SecondNet;
        """;

    private const string Helpers = """
        namespace Demo;

        internal static class Helpers
        {
            public static int Twice(int value) => 2 * value;
        }
        """;

    private const string InvalidNetwork = """
        using Unetr.Dsl;
        namespace Demo;

        [Unetr(ImageSize = new[] { 32, 40, 32 }, InChannels = 1, OutChannels = 3)]
        [PatchEmbedding(PatchSize = 12)]
        [Encoder(EmbedDim = 48, Depth = 4, Heads = 5)]
        [Decoder(Widths = new[] { 8, 16, 32 })]
        public partial class Broken;
        """;

    [Fact]
    public void Adding_an_unrelated_file_leaves_every_step_cached_and_every_source_unchanged()
    {
        var (driver, compilation, before) = RunOnce(FirstNetwork, SecondNetwork, Helpers);
        var unrelated = CSharpSyntaxTree.ParseText(
            "namespace Demo;\n\ninternal static class More\n{\n    public static int Three() => 3;\n}\n",
            GeneratorHarness.ParseOptions,
            path: "More.cs");

        var after = Rerun(driver, compilation.AddSyntaxTrees(unrelated));

        AssertNothingRecomputed(after);
        AssertSameSources(before, after);
    }

    [Fact]
    public void Commenting_another_file_leaves_every_step_cached_and_every_source_unchanged()
    {
        var (driver, compilation, before) = RunOnce(FirstNetwork, SecondNetwork, Helpers);

        var after = Rerun(driver, Edit(compilation, "File2.cs", Helpers.Replace("internal static", "// Shared arithmetic.\ninternal static")));

        AssertNothingRecomputed(after);
        AssertSameSources(before, after);
    }

    [Fact]
    public void Editing_one_attribute_regenerates_only_that_class()
    {
        var (driver, compilation, before) = RunOnce(FirstNetwork, SecondNetwork);

        var after = Rerun(driver, Edit(compilation, "File0.cs", FirstNetwork.Replace("OutChannels = 3", "OutChannels = 5")));

        Assert.Equal(IncrementalStepRunReason.Modified, EmitReason(after, "Demo.FirstNet.g.cs"));
        Assert.Contains(EmitReason(after, "Demo.SecondNet.g.cs"), Reused);
        Assert.Contains(Reason(after, StepNames.Parse, (ParsedDeclaration d) => d.Spec.Target.ClassName == "SecondNet"), Reused);
        Assert.NotEqual(Source(before, "Demo.FirstNet.g.cs"), Source(after, "Demo.FirstNet.g.cs"));
        Assert.Equal(Source(before, "Demo.SecondNet.g.cs"), Source(after, "Demo.SecondNet.g.cs"));
    }

    [Fact]
    public void Editing_one_attribute_leaves_the_catalog_cached()
    {
        var (driver, compilation, before) = RunOnce(FirstNetwork, SecondNetwork);

        var after = Rerun(driver, Edit(compilation, "File0.cs", FirstNetwork.Replace("OutChannels = 3", "OutChannels = 5")));

        Assert.Equal(IncrementalStepRunReason.Modified, EmitReason(after, "Demo.FirstNet.g.cs"));
        Assert.All(Outputs(after, StepNames.CatalogEntries), output => Assert.Contains(output.Reason, Reused));
        Assert.All(Outputs(after, StepNames.Catalog), output => Assert.Contains(output.Reason, Reused));
        Assert.All(Outputs(after, StepNames.EmitCatalog), output => Assert.Contains(output.Reason, Reused));
        Assert.Equal(Source(before, CatalogHint), Source(after, CatalogHint));
    }

    [Fact]
    public void Adding_a_network_re_emits_the_catalog_and_no_other_network()
    {
        var (driver, compilation, before) = RunOnce(FirstNetwork);
        var second = CSharpSyntaxTree.ParseText(SecondNetwork, GeneratorHarness.ParseOptions, path: "File1.cs");

        var after = Rerun(driver, compilation.AddSyntaxTrees(second));

        Assert.Equal(IncrementalStepRunReason.Modified, Outputs(after, StepNames.EmitCatalog).Single().Reason);
        Assert.Contains(EmitReason(after, "Demo.FirstNet.g.cs"), Reused);
        Assert.DoesNotContain("global::Demo.SecondNet", Source(before, CatalogHint), System.StringComparison.Ordinal);
        Assert.Contains("global::Unetr.Model.Presets.Preset.Of<global::Demo.SecondNet>(),", Source(after, CatalogHint), System.StringComparison.Ordinal);
    }

    [Fact]
    public void Moving_a_declaration_within_its_file_changes_locations_but_regenerates_nothing()
    {
        var (driver, compilation, before) = RunOnce(FirstNetwork, SecondNetwork);

        var after = Rerun(driver, Edit(compilation, "File0.cs", FirstNetwork.Replace("namespace Demo;", "namespace Demo;\n\n// Moved down two lines.")));

        // Parse output carries the locations, so it must change; everything after it sees the same spec.
        Assert.Equal(IncrementalStepRunReason.Modified, Reason(after, StepNames.Parse, (ParsedDeclaration d) => d.Spec.Target.ClassName == "FirstNet"));
        foreach (var step in PipelineSteps.Skip(1))
        {
            Assert.All(Outputs(after, step), output => Assert.Contains(output.Reason, Reused));
        }

        AssertSameSources(before, after);
    }

    private const string SweptNetwork = """
        using Unetr.Dsl;
        namespace Demo;

        [Unetr(ImageSize = new[] { 32, 32, 32 }, InChannels = 1, OutChannels = 3)]
        [PatchEmbedding(PatchSize = 16)]
        [Encoder(EmbedDim = 48, Depth = 4, Heads = 4)]
        [Decoder(Widths = new[] { 8, 16, 32, 64 })]
        [Sweep(nameof(EncoderAttribute.Depth), 6, 8)]
        public partial class Swept;
        """;

    private const string Other = """
        using Unetr.Dsl;
        namespace Demo;

        [Unetr(ImageSize = new[] { 32, 32 }, InChannels = 1, OutChannels = 2)]
        [PatchEmbedding(PatchSize = 16)]
        [Encoder(EmbedDim = 16, Depth = 4, Heads = 2)]
        [Decoder(Widths = new[] { 2, 4, 8, 16 })]
        public partial class Other;
        """;

    [Fact]
    public void Editing_one_sweep_value_emits_that_variant_only_and_adding_a_file_recomputes_nothing()
    {
        var (driver, compilation, _) = RunOnce(SweptNetwork, Other);

        var ten = Edit(compilation, "File0.cs", SweptNetwork.Replace("6, 8)]", "6, 10)]"));
        var edited = Rerun(driver, ten);

        Assert.Contains(EmitReason(edited, "Demo.Swept.g.cs"), Reused);
        Assert.Contains(EmitReason(edited, "Demo.Swept.Depth6.g.cs"), Reused);
        Assert.Contains(EmitReason(edited, "Demo.Other.g.cs"), Reused);
        Assert.DoesNotContain(EmitReason(edited, "Demo.Swept.Depth10.g.cs"), Reused);
        Assert.Equal(IncrementalStepRunReason.Modified, Outputs(edited, StepNames.EmitCatalog).Single().Reason);
        Assert.DoesNotContain(edited.GeneratedSources, s => s.HintName == "Demo.Swept.Depth8.g.cs");

        var unrelated = CSharpSyntaxTree.ParseText("namespace Demo;\ninternal static class More { }\n", GeneratorHarness.ParseOptions, path: "More.cs");
        var again = Rerun(driver.RunGenerators(ten), ten.AddSyntaxTrees(unrelated));

        foreach (var step in PipelineSteps)
        {
            Assert.All(Outputs(again, step), output => Assert.Contains(output.Reason, Reused));
        }

        Assert.Equal(4, Outputs(again, StepNames.ValidNetworks).Count());
    }

    [Fact]
    public void Editing_the_baseline_re_emits_its_variants_and_leaves_the_catalog_cached()
    {
        var (driver, compilation, _) = RunOnce(SweptNetwork, Other);

        var edited = Rerun(driver, Edit(compilation, "File0.cs", SweptNetwork.Replace("OutChannels = 3", "OutChannels = 5")));

        Assert.Equal(IncrementalStepRunReason.Modified, EmitReason(edited, "Demo.Swept.Depth6.g.cs"));
        Assert.Equal(IncrementalStepRunReason.Modified, EmitReason(edited, "Demo.Swept.Depth8.g.cs"));
        Assert.Contains(EmitReason(edited, "Demo.Other.g.cs"), Reused);
        Assert.All(Outputs(edited, StepNames.EmitCatalog), output => Assert.Contains(output.Reason, Reused));
    }

    [Fact]
    public void Parsing_a_sweep_twice_gives_equal_values_with_equal_hashes()
    {
        var source = SweptNetwork.Replace("[Sweep(", "[SweepGrid]\n[Sweep(nameof(DecoderAttribute.Widths), new[] { 4, 8, 16, 32 })]\n[Sweep(");

        var first = Outputs(RunOnce(source).Result, StepNames.Parse).Select(o => o.Value).ToList();
        var second = Outputs(RunOnce(source).Result, StepNames.Parse).Select(o => o.Value).ToList();

        Assert.Equal(2, ((ParsedDeclaration)first.Single()).Sweeps!.Variants.Count);
        Assert.Equal(first, second);
        Assert.Equal(first.Select(v => v.GetHashCode()), second.Select(v => v.GetHashCode()));
    }

    private static readonly Dictionary<string, string> Declarations = new()
    {
        ["Monai"] = FirstNetwork,
        ["Seed2D"] = SecondNetwork,
        ["Invalid"] = InvalidNetwork,
    };

    public static TheoryData<string> DeclarationNames => new(Declarations.Keys);

    [Theory]
    [MemberData(nameof(DeclarationNames))]
    public void Parsing_the_same_source_twice_gives_equal_values_with_equal_hashes(string declaration)
    {
        var source = Declarations[declaration];
        var first = RunOnce(source).Driver.GetRunResult().Results.Single();
        var second = RunOnce(source).Driver.GetRunResult().Results.Single();

        // An invalid declaration stops at validation: there is nothing to emit.
        var steps = declaration == "Invalid"
            ? new[] { StepNames.Parse, StepNames.Validate, StepNames.Diagnostics }
            : new[] { StepNames.Parse, StepNames.Validate, StepNames.Diagnostics, StepNames.ValidNetworks, StepNames.Emit };
        foreach (var step in steps)
        {
            var left = Outputs(first, step).Select(o => o.Value).ToList();
            var right = Outputs(second, step).Select(o => o.Value).ToList();

            Assert.NotEmpty(left);
            Assert.Equal(left, right);
            Assert.Equal(left.Select(v => v.GetHashCode()), right.Select(v => v.GetHashCode()));
            Assert.All(left.Zip(right), pair => Assert.NotSame(pair.First, pair.Second));
        }
    }

    [Fact]
    public void Parsing_a_preset_twice_gives_equal_specs_with_equal_hashes()
    {
        var presets = RepositoryFiles.ReadAllText("src", "Unetr.Model", "Presets", "Presets.cs");

        var first = ParsedSpecs(RunOnce(presets).Driver);
        var second = ParsedSpecs(RunOnce(presets).Driver);

        Assert.Equal(3, first.Count);
        Assert.Equal(first, second);
        Assert.Equal(first.Select(s => s.GetHashCode()), second.Select(s => s.GetHashCode()));
    }

    private static readonly IncrementalStepRunReason[] Reused = { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged };

    private static (GeneratorDriver Driver, Compilation Compilation, GeneratorRunResult Result) RunOnce(params string[] sources)
    {
        var compilation = GeneratorHarness.Compile(sources);
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);
        var result = driver.GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        return (driver, compilation, result);
    }

    private static GeneratorRunResult Rerun(GeneratorDriver driver, Compilation edited)
    {
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        return result;
    }

    private static Compilation Edit(Compilation compilation, string path, string newText)
    {
        var old = compilation.SyntaxTrees.Single(t => t.FilePath == path);
        return compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(newText, GeneratorHarness.ParseOptions, path: path));
    }

    private static void AssertNothingRecomputed(GeneratorRunResult result)
    {
        foreach (var step in PipelineSteps)
        {
            Assert.True(result.TrackedSteps.ContainsKey(step), $"step {step} was not tracked");
            Assert.All(Outputs(result, step), output => Assert.Contains(output.Reason, Reused));
        }

        // Parse must have run over both declarations, or the assertions above say nothing.
        Assert.Equal(2, Outputs(result, StepNames.Parse).Count());
        Assert.NotEmpty(result.TrackedOutputSteps);
        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs), output => Assert.Contains(output.Reason, Reused));
    }

    private static void AssertSameSources(GeneratorRunResult before, GeneratorRunResult after)
    {
        Assert.Equal(before.GeneratedSources.Select(s => s.HintName), after.GeneratedSources.Select(s => s.HintName));
        foreach (var source in before.GeneratedSources)
        {
            Assert.Equal(source.SourceText.ToString(), Source(after, source.HintName));
        }
    }

    private static IEnumerable<(object Value, IncrementalStepRunReason Reason)> Outputs(GeneratorRunResult result, string step) =>
        result.TrackedSteps[step].SelectMany(run => run.Outputs);

    private static IncrementalStepRunReason Reason<T>(GeneratorRunResult result, string step, System.Func<T, bool> which) =>
        Outputs(result, step).Single(o => o.Value is T value && which(value)).Reason;

    private static IncrementalStepRunReason EmitReason(GeneratorRunResult result, string hintName) =>
        Reason(result, StepNames.Emit, (GeneratedFile file) => file.HintName == hintName);

    private static string Source(GeneratorRunResult result, string hintName) =>
        result.GeneratedSources.Single(s => s.HintName == hintName).SourceText.ToString();

    private static List<UnetrSpec> ParsedSpecs(GeneratorDriver driver) =>
        Outputs(driver.GetRunResult().Results.Single(), StepNames.Parse).Select(o => ((ParsedDeclaration)o.Value).Spec).ToList();
}
