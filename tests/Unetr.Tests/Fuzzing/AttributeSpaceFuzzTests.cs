using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using Unetr.Generators.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace Unetr.Tests.Fuzzing;

/// <summary>
/// Thousands of random declarations, valid and not, against the generator's contract: it never throws; a declaration
/// it accepts compiles without a warning; one it rejects gets UNETR errors on its own attribute lists (or, for a
/// declaration-level problem, on the class or enclosing type name); a single injected mistake gets exactly its
/// diagnostic; and a sample of small accepted networks (with the variants their sweeps expand to) runs with exactly the
/// shapes proved at build time.
/// Reproducible: fixed seed unless <c>UNETR_FUZZ_SEED</c> is set; <c>UNETR_FUZZ_COUNT</c> changes the size.
/// </summary>
public sealed class AttributeSpaceFuzzTests
{
    private const int DefaultSeed = 20260301;
    private const int DefaultCount = 2400;

    // Large enough that compiler start-up per batch is amortised, small enough that a crash bisects quickly.
    private const int BatchSize = 200;
    private const int ForwardSample = 24;

    private readonly ITestOutputHelper output;

    public AttributeSpaceFuzzTests(ITestOutputHelper output) => this.output = output;

    [Fact]
    public void Generator_keeps_its_contract_on_random_declarations()
    {
        var seed = Setting("UNETR_FUZZ_SEED", DefaultSeed);
        var count = Setting("UNETR_FUZZ_COUNT", DefaultCount);
        output.WriteLine($"seed {seed}, {count} declarations (UNETR_FUZZ_SEED / UNETR_FUZZ_COUNT to change)");
        var clock = Stopwatch.StartNew();

        var fuzzer = new DeclarationFuzzer(seed);
        var cases = Enumerable.Range(0, count).Select(fuzzer.Next).ToList();
        var tally = new FuzzTally();
        foreach (var batch in cases.Chunk(BatchSize))
        {
            FuzzChecker.CheckBatch(batch, tally);
        }

        var generatorTime = clock.Elapsed;
        var sample = tally.Compiled.Where(c => c.Case.Tiny).Take(ForwardSample).ToList();
        var forwardProblems = ForwardCheck.Run(sample);
        tally.Failures.AddRange(forwardProblems);

        output.WriteLine($"kinds: {string.Join(", ", cases.GroupBy(c => c.Kind).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}"))}");
        var swept = tally.Compiled.Count(c => c.Case.Mutations.Contains("Sweep(", StringComparison.Ordinal));
        var sweptSample = sample.Count(c => c.Case.Mutations.Contains("Sweep(", StringComparison.Ordinal));
        output.WriteLine($"accepted (no diagnostic) {tally.Clean}, rejected {tally.Rejected}, crashes {tally.Crashes}, forward-checked {sample.Count}");
        output.WriteLine($"valid declarations with sweeps: {swept} compiled, {sweptSample} of them forward-checked with their variants");
        output.WriteLine($"diagnostics: {string.Join(", ", tally.Ids.Select(p => $"{p.Key}×{p.Value}"))}");
        output.WriteLine($"time: generator and compilation {generatorTime.TotalSeconds:F1} s, forward {(clock.Elapsed - generatorTime).TotalSeconds:F1} s");
        foreach (var failure in tally.Failures.Take(10))
        {
            output.WriteLine("---- " + failure);
        }

        Assert.True(tally.Failures.Count == 0, $"{tally.Failures.Count} contract violations (seed {seed}); first:\n{tally.Failures.FirstOrDefault()}");
        Assert.Equal(0, tally.Crashes);

        // A fuzzer that stopped reaching a rule, or stopped producing runnable networks, would pass vacuously.
        Assert.Equal(DiagnosticDescriptors.All.Select(d => d.Id).OrderBy(id => id), tally.Ids.Keys.OrderBy(id => id));
        Assert.Equal(ForwardSample, sample.Count);
        Assert.True(swept > 0 && sweptSample > 0, $"no valid sweep was compiled ({swept}) or run ({sweptSample})");
    }

    private static int Setting(string variable, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;
}
