using System;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Unetr.Generators;

namespace Unetr.Benchmarks;

/// <summary>
/// The UNETR generator over a compilation that declares <see cref="VariantCount"/> networks, one per file. Times are
/// per declared variant (<c>OperationsPerInvoke</c>); multiply by <see cref="VariantCount"/> for a whole run.
/// </summary>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    /// <summary>Declared networks in the compilation.</summary>
    public const int VariantCount = 50;

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private CSharpCompilation compilation = null!;
    private GeneratorDriver warmDriver = null!;
    private GeneratorDriver warmFloorDriver = null!;
    private SyntaxTree unrelatedFile = null!;

    /// <summary>Parses the corpus once (parsing is the compiler's work) and warms a driver on it.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Append(typeof(Unetr.Dsl.UnetrAttribute).Assembly.Location)
            .Distinct()
            .Select(path => MetadataReference.CreateFromFile(path));
        var trees = VariantCorpus.Declarations(VariantCount)
            .Select((source, i) => CSharpSyntaxTree.ParseText(source, ParseOptions, path: $"Variant{i}.cs"));
        compilation = CSharpCompilation.Create(
            "Corpus",
            trees,
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        unrelatedFile = CSharpSyntaxTree.ParseText(
            "namespace Corpus;\n\ninternal static class Helpers\n{\n    public static int Twice(int value) => 2 * value;\n}\n",
            ParseOptions,
            path: "Helpers.cs");

        warmDriver = NewDriver().RunGenerators(compilation);
        RequireEveryVariantGenerated(warmDriver);
        warmFloorDriver = CSharpGeneratorDriver.Create(new[] { new FindOnlyGenerator().AsSourceGenerator() }, parseOptions: ParseOptions)
            .RunGenerators(compilation);
    }

    /// <summary>A fresh driver on a fresh compilation (new symbols, same parsed trees): a first build or a reload.</summary>
    [Benchmark(OperationsPerInvoke = VariantCount)]
    public GeneratorDriver Cold() => NewDriver().RunGenerators(compilation.Clone());

    /// <summary>The warm driver after a file that declares no network is added: what an IDE does on a keystroke elsewhere.</summary>
    [Benchmark(OperationsPerInvoke = VariantCount)]
    public GeneratorDriver UnrelatedEdit() => warmDriver.RunGenerators(compilation.AddSyntaxTrees(unrelatedFile));

    /// <summary>
    /// <see cref="UnrelatedEdit"/> for a generator that only finds the [Unetr] classes: the part of a re-run that is
    /// Roslyn's. ForAttributeWithMetadataName re-binds every declaration against each new compilation (an attribute
    /// argument may name a constant in the edited file), so no generator built on it re-runs for free.
    /// </summary>
    [Benchmark(OperationsPerInvoke = VariantCount)]
    public GeneratorDriver UnrelatedEditFloor() => warmFloorDriver.RunGenerators(compilation.AddSyntaxTrees(unrelatedFile));

    private static GeneratorDriver NewDriver() =>
        CSharpGeneratorDriver.Create(new[] { new UnetrGenerator().AsSourceGenerator() }, parseOptions: ParseOptions);

    // A corpus with a mistake would measure diagnostics instead of generation: refuse to run.
    private static void RequireEveryVariantGenerated(GeneratorDriver driver)
    {
        var result = driver.GetRunResult().Results.Single();
        if (result.Exception is not null || !result.Diagnostics.IsEmpty || result.GeneratedSources.Length != VariantCount)
        {
            throw new InvalidOperationException(
                $"The corpus must generate {VariantCount} networks without diagnostics; got {result.GeneratedSources.Length} sources and "
                + string.Join("; ", result.Diagnostics.Select(d => d.ToString())) + result.Exception);
        }
    }

    /// <summary>Finds the declarations exactly as <see cref="UnetrGenerator"/> does and stops there.</summary>
    private sealed class FindOnlyGenerator : IIncrementalGenerator
    {
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var names = context.SyntaxProvider.ForAttributeWithMetadataName(
                "Unetr.Dsl.UnetrAttribute",
                static (node, _) => node is ClassDeclarationSyntax,
                static (ctx, _) => ctx.TargetSymbol.Name);
            context.RegisterSourceOutput(names, static (_, _) => { });
        }
    }
}
