using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using Unetr.Tests.Generator;

namespace Unetr.Tests.Fuzzing;

/// <summary>A valid case whose generated network compiled: its own file and what the generator added for it.</summary>
internal sealed record CompiledCase(FuzzCase Case, SyntaxTree UserTree, IReadOnlyList<SyntaxTree> GeneratedTrees);

/// <summary>Tallies and failures of a fuzz run.</summary>
internal sealed class FuzzTally
{
    public int Clean { get; set; }

    public int Rejected { get; set; }

    public int Crashes { get; set; }

    public SortedDictionary<string, int> Ids { get; } = new(StringComparer.Ordinal);

    public List<string> Failures { get; } = new();

    public List<CompiledCase> Compiled { get; } = new();

    public void Fail(FuzzCase fuzzCase, string problem) =>
        Failures.Add($"case {fuzzCase.Index} ({fuzzCase.Kind}: {fuzzCase.Mutations}): {problem}\n{fuzzCase.Source}");
}

/// <summary>
/// Runs the generator over many cases in one compilation (one file each) and checks each case against the
/// generator's contract, tracing every diagnostic back to its case by file.
/// </summary>
internal static class FuzzChecker
{
    /// <summary>Diagnostics that concern the declaration itself rather than an attribute argument.</summary>
    private static readonly HashSet<string> DeclarationIds = new(StringComparer.Ordinal) { "UNETR001", "UNETR002", "UNETR020" };

    private static readonly Regex Placeholder = new(@"\{\d+\}", RegexOptions.Compiled);

    public static void CheckBatch(IReadOnlyList<FuzzCase> batch, FuzzTally tally)
    {
        var compilation = GeneratorHarness.CompileFiles(batch.Select(c => (c.Path, c.Source)));
        var driver = GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var result = driver.GetRunResult().Results.Single();
        if (result.Exception is not null)
        {
            // One throwing transform fails the whole run: split until the culprit stands alone.
            if (batch.Count == 1)
            {
                tally.Crashes++;
                tally.Fail(batch[0], "the generator threw: " + result.Exception);
                return;
            }

            var half = batch.Count / 2;
            CheckBatch(batch.Take(half).ToList(), tally);
            CheckBatch(batch.Skip(half).ToList(), tally);
            return;
        }

        var byPath = batch.ToDictionary(c => c.Path, StringComparer.Ordinal);
        var generated = new Dictionary<FuzzCase, List<SyntaxTree>>();
        var treeOwner = new Dictionary<string, FuzzCase>(StringComparer.Ordinal);
        foreach (var source in result.GeneratedSources)
        {
            // The assembly's catalog lists the whole batch and belongs to no case: a warning in it fails the batch below.
            if (source.HintName.EndsWith(".DeclaredNetworks.g.cs", StringComparison.Ordinal))
            {
                continue;
            }

            var segments = source.HintName.Split('.');
            var owner = batch.Single(c => segments.Contains(c.Token, StringComparer.Ordinal));
            generated.TryAdd(owner, new List<SyntaxTree>());
            generated[owner].Add(source.SyntaxTree);
            treeOwner[source.SyntaxTree.FilePath] = owner;
        }

        var reported = batch.ToDictionary(c => c, _ => new List<Diagnostic>());
        foreach (var diagnostic in generatorDiagnostics)
        {
            // The generator reports locations as plain path and span (no syntax tree crosses its pipeline).
            var path = diagnostic.Location.GetLineSpan().Path;
            if (path is null || !byPath.TryGetValue(path, out var owner))
            {
                tally.Failures.Add($"diagnostic outside any case file: {diagnostic}");
                continue;
            }

            reported[owner].Add(diagnostic);
        }

        var compileProblems = batch.ToDictionary(c => c, _ => (User: new List<Diagnostic>(), Generated: new List<Diagnostic>()));
        foreach (var diagnostic in output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning))
        {
            var path = diagnostic.Location.SourceTree?.FilePath ?? string.Empty;
            if (byPath.TryGetValue(path, out var user))
            {
                compileProblems[user].User.Add(diagnostic);
            }
            else if (treeOwner.TryGetValue(path, out var owner))
            {
                compileProblems[owner].Generated.Add(diagnostic);
            }
            else
            {
                tally.Failures.Add($"compiler diagnostic outside any case: {diagnostic}");
            }
        }

        foreach (var fuzzCase in batch)
        {
            var userTree = output.SyntaxTrees.Single(t => t.FilePath == fuzzCase.Path);
            var trees = generated.GetValueOrDefault(fuzzCase) ?? new List<SyntaxTree>();
            Check(fuzzCase, userTree, reported[fuzzCase], trees, compileProblems[fuzzCase].User, compileProblems[fuzzCase].Generated, tally);
        }
    }

    private static void Check(
        FuzzCase fuzzCase,
        SyntaxTree userTree,
        List<Diagnostic> reported,
        List<SyntaxTree> generated,
        List<Diagnostic> userProblems,
        List<Diagnostic> generatedProblems,
        FuzzTally tally)
    {
        var ids = reported.Select(d => d.Id).ToList();
        foreach (var id in ids)
        {
            tally.Ids[id] = tally.Ids.GetValueOrDefault(id) + 1;
        }

        if (ids.Count == 0)
        {
            tally.Clean++;
        }
        else
        {
            tally.Rejected++;
        }

        foreach (var diagnostic in reported)
        {
            CheckDiagnostic(fuzzCase, userTree, diagnostic, tally);
        }

        if (ids.Count > 0 && generated.Count > 0)
        {
            tally.Fail(fuzzCase, $"code was generated despite {Describe(reported)}");
        }

        if (ids.Count == 0 && generated.Count == 0 && fuzzCase.Kind != FuzzKind.Malformed)
        {
            tally.Fail(fuzzCase, "no diagnostic and no generated code");
        }

        if (generatedProblems.Count > 0)
        {
            tally.Fail(fuzzCase, "the generated code does not compile cleanly:\n" + Describe(generatedProblems));
        }

        switch (fuzzCase.Kind)
        {
            case FuzzKind.Valid:
                Expect(ids.Count == 0, fuzzCase, tally, "a valid declaration was rejected: " + Describe(reported));
                Expect(userProblems.Count == 0, fuzzCase, tally, "a valid declaration does not compile: " + Describe(userProblems));
                break;
            case FuzzKind.Extreme:
                Expect(ids.Count == 0 || ids.SequenceEqual(new[] { "UNETR018" }), fuzzCase, tally, "extreme sizes may only be too large (one UNETR018): " + Describe(reported));
                Expect(userProblems.Count == 0, fuzzCase, tally, "an extreme declaration does not compile: " + Describe(userProblems));
                break;
            case FuzzKind.Invalid:
                Expect(ids.Count > 0, fuzzCase, tally, "an injected mistake went unreported");
                Expect(fuzzCase.ExpectedId is null || ids.SequenceEqual(new[] { fuzzCase.ExpectedId }), fuzzCase, tally,
                    $"one mistake must give exactly one {fuzzCase.ExpectedId}: got {Describe(reported)}");
                break;
            case FuzzKind.Malformed:
                Expect(userProblems.Any(d => d.Severity == DiagnosticSeverity.Error), fuzzCase, tally, "a malformed declaration compiled");
                break;
        }

        if (fuzzCase.Kind == FuzzKind.Valid && ids.Count == 0 && generated.Count > 0 && generatedProblems.Count == 0)
        {
            tally.Compiled.Add(new CompiledCase(fuzzCase, userTree, generated));
        }
    }

    /// <summary>Every generator diagnostic is a UNETR error with a complete message, on the declaration it is about.</summary>
    private static void CheckDiagnostic(FuzzCase fuzzCase, SyntaxTree userTree, Diagnostic diagnostic, FuzzTally tally)
    {
        if (!diagnostic.Id.StartsWith("UNETR", StringComparison.Ordinal) || diagnostic.Severity != DiagnosticSeverity.Error)
        {
            tally.Fail(fuzzCase, $"not a UNETR error: {diagnostic}");
            return;
        }

        var message = diagnostic.GetMessage(CultureInfo.InvariantCulture);
        if (Placeholder.IsMatch(message))
        {
            tally.Fail(fuzzCase, $"message with an unfilled placeholder: {diagnostic}");
        }

        var span = diagnostic.Location.SourceSpan;
        var allowed = AllowedSpans(userTree, fuzzCase.ClassName, DeclarationIds.Contains(diagnostic.Id));
        if (!allowed.Any(a => a.Contains(span)))
        {
            var text = userTree.GetText().ToString(span);
            tally.Fail(fuzzCase, $"{diagnostic.Id} located on '{text}' ({span}), outside {(DeclarationIds.Contains(diagnostic.Id) ? "the identifiers of the class and its enclosing types" : "the class's attribute lists")}");
        }
    }

    /// <summary>
    /// A declaration-level diagnostic (not partial, generic, not extensible) belongs on the identifier of the class or of
    /// the enclosing type at fault; any other on the attribute lists of the class (any of its partial declarations).
    /// </summary>
    private static List<TextSpan> AllowedSpans(SyntaxTree tree, string className, bool declarationLevel)
    {
        var declarations = tree.GetRoot().DescendantNodes().OfType<TypeDeclarationSyntax>()
            .Where(t => t.Identifier.ValueText == className)
            .ToList();
        if (declarationLevel)
        {
            return declarations
                .SelectMany(t => t.AncestorsAndSelf().OfType<TypeDeclarationSyntax>())
                .Select(t => t.Identifier.Span)
                .ToList();
        }

        return declarations
            .Where(t => t.AttributeLists.Count > 0)
            .Select(t => TextSpan.FromBounds(t.AttributeLists[0].SpanStart, t.AttributeLists[t.AttributeLists.Count - 1].Span.End))
            .ToList();
    }

    private static void Expect(bool condition, FuzzCase fuzzCase, FuzzTally tally, string problem)
    {
        if (!condition)
        {
            tally.Fail(fuzzCase, problem);
        }
    }

    private static string Describe(IEnumerable<Diagnostic> diagnostics)
    {
        var list = diagnostics.Select(d => d.ToString()).ToList();
        return list.Count == 0 ? "nothing" : string.Join("\n", list);
    }
}
