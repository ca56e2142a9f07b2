using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;
using Unetr.Generators;
using Unetr.Tests.Generator;

namespace Unetr.Tests.CodeFixes;

/// <summary>
/// A code-fix test in which the diagnostics come from <see cref="UnetrGenerator"/>: the testing library runs the
/// generator on the before and after sources, so the fixed source must leave the generator silent and compile.
/// </summary>
internal sealed class UnetrCodeFixTest<TFix> : CSharpCodeFixTest<EmptyDiagnosticAnalyzer, TFix, DefaultVerifier>
    where TFix : CodeFixProvider, new()
{
    public UnetrCodeFixTest()
    {
        // No reference-assembly package (it would be downloaded at test time): the running framework's assemblies,
        // the DSL, TorchSharp and Unetr.Model, as the generator tests use.
        ReferenceAssemblies = new ReferenceAssemblies("net10.0");
        TestState.AdditionalReferences.AddRange(GeneratorHarness.MetadataReferences);

        // The generated network's text is the generator tests' business; here it only has to compile (compiler errors
        // in any document, generated ones included, still fail the test).
        TestBehaviors = TestBehaviors.SkipGeneratedSourcesCheck;
    }

    protected override IEnumerable<Type> GetSourceGenerators() => new[] { typeof(UnetrGenerator) };

    protected override ParseOptions CreateParseOptions() => GeneratorHarness.ParseOptions;

    protected override CompilationOptions CreateCompilationOptions() =>
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable);

    /// <summary>
    /// The generator reports plain path-and-span locations (no syntax tree may cross its pipeline), which the IDE maps
    /// to the document with that path before asking for fixes (dotnet/roslyn#67953). The testing library offers fixes
    /// only for in-source locations, so do the IDE's mapping here.
    /// </summary>
    protected override ImmutableArray<(Project project, Diagnostic diagnostic)> FilterDiagnostics(ImmutableArray<(Project project, Diagnostic diagnostic)> diagnostics) =>
        base.FilterDiagnostics(diagnostics).Select(d => (d.project, InSource(d.project, d.diagnostic))).ToImmutableArray();

    private static Diagnostic InSource(Project project, Diagnostic diagnostic)
    {
        if (diagnostic.Location.Kind != LocationKind.ExternalFile || !project.TryGetCompilation(out var compilation))
        {
            return diagnostic;
        }

        var path = diagnostic.Location.GetLineSpan().Path;
        var tree = compilation.SyntaxTrees.FirstOrDefault(t => t.FilePath == path);
        if (tree is null)
        {
            return diagnostic;
        }

        // Same ID, severity, message and properties; only the location changes kind. The message is already formatted,
        // so its braces are escaped for the descriptor's format string.
        var original = diagnostic.Descriptor;
        var message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Replace("{", "{{", StringComparison.Ordinal).Replace("}", "}}", StringComparison.Ordinal);
        var descriptor = new DiagnosticDescriptor(original.Id, original.Title, message, original.Category, original.DefaultSeverity, original.IsEnabledByDefault, original.Description, original.HelpLinkUri);
        return Diagnostic.Create(descriptor, Location.Create(tree, diagnostic.Location.SourceSpan), diagnostic.AdditionalLocations, diagnostic.Properties);
    }
}
