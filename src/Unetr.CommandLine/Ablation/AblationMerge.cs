using System;
using System.Collections.Generic;
using System.Linq;
using Unetr.Measurement.Ablation;
using Unetr.Measurement.Speed;

namespace Unetr.CommandLine.Ablation;

/// <summary>One variant's merged results.</summary>
/// <param name="Variant">The planned network.</param>
/// <param name="DiceBySeed">Held-out Dice of each finished training seed.</param>
/// <param name="Dice">Mean Dice over those seeds with its interval; <c>null</c> before the first training job finishes.</param>
/// <param name="Difference">Paired difference to the baseline over the seeds both finished; <c>null</c> for the baseline or without a common seed.</param>
/// <param name="ForwardSeconds">Median over the finished measurement rounds of the forward time.</param>
/// <param name="TrainStepSeconds">Median over the rounds of the train step time.</param>
/// <param name="PeakMemoryBytes">Median over the rounds of the peak memory growth.</param>
/// <param name="Rounds">Measurement rounds finished.</param>
public sealed record AblationVariantSummary(
    AblationPlannedVariant Variant,
    IReadOnlyDictionary<long, double> DiceBySeed,
    MeanInterval? Dice,
    MeanInterval? Difference,
    double? ForwardSeconds,
    double? TrainStepSeconds,
    long? PeakMemoryBytes,
    int Rounds)
{
    /// <summary>Whether the paired difference to the baseline is resolved: its interval excludes 0.</summary>
    public bool Resolved => Difference is { ExcludesZero: true };
}

/// <summary>Whatever results of a plan exist, merged: per variant the statistics, and the jobs that have not finished.</summary>
/// <param name="Plan">The plan.</param>
/// <param name="Variants">One summary per planned variant, in plan order.</param>
/// <param name="Missing">The jobs without a result.</param>
public sealed record AblationMerge(AblationPlan Plan, IReadOnlyList<AblationVariantSummary> Variants, IReadOnlyList<AblationJob> Missing)
{
    /// <summary>Reads every result of <paramref name="plan"/> in <paramref name="directory"/>.</summary>
    /// <exception cref="UsageException">A result file is corrupt.</exception>
    public static AblationMerge Read(string directory, AblationPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var results = plan.Jobs.Select(job => (Job: job, Result: AblationJobResult.Load(directory, job))).ToArray();
        return Merge(plan, results.Where(r => r.Result is not null).Select(r => r.Result!).ToArray(), results.Where(r => r.Result is null).Select(r => r.Job).ToArray());
    }

    /// <summary>Merges <paramref name="results"/> of <paramref name="plan"/>'s jobs; <paramref name="missing"/> are the jobs without one.</summary>
    public static AblationMerge Merge(AblationPlan plan, IReadOnlyList<AblationJobResult> results, IReadOnlyList<AblationJob> missing)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(results);
        Dictionary<long, double> DiceOf(string name) => results
            .Where(r => r.Job.Kind == AblationJobKind.Train && r.Job.Variant == name)
            .ToDictionary(r => r.Job.Seed, r => r.Dice!.Value);

        var baseline = DiceOf(plan.Baseline);
        var summaries = plan.Variants.Select(variant =>
        {
            var dice = DiceOf(variant.Name);
            var measured = results.Where(r => r.Job.Kind == AblationJobKind.Measure && r.Job.Variant == variant.Name).ToArray();
            var memory = measured.Where(r => r.PeakMemoryBytes is not null).Select(r => (double)r.PeakMemoryBytes!.Value).ToArray();
            return new AblationVariantSummary(
                variant,
                dice,
                dice.Count == 0 ? null : AblationStatistics.Interval(dice.OrderBy(p => p.Key).Select(p => p.Value).ToArray()),
                variant.Name == plan.Baseline ? null : AblationStatistics.PairedDifference(dice, baseline),
                measured.Length == 0 ? null : Timing.Median(measured.Select(r => r.ForwardSeconds!.Value).ToArray()),
                measured.Length == 0 ? null : Timing.Median(measured.Select(r => r.TrainStepSeconds!.Value).ToArray()),
                memory.Length == 0 ? null : (long)Timing.Median(memory),
                measured.Length);
        }).ToArray();
        return new AblationMerge(plan, summaries, missing);
    }

    /// <summary>Indices of the variants with a Dice on the Pareto front of mean Dice against compile-time MACs, cheapest first.</summary>
    public IReadOnlyList<int> FrontByMacs() => Front(v => v.Variant.MultiplyAccumulates);

    /// <summary>Indices of the variants with a Dice and a latency on the Pareto front of mean Dice against forward latency, fastest first.</summary>
    public IReadOnlyList<int> FrontByLatency() => Front(v => v.ForwardSeconds);

    private int[] Front(Func<AblationVariantSummary, double?> cost)
    {
        var candidates = Enumerable.Range(0, Variants.Count).Where(i => Variants[i].Dice is not null && cost(Variants[i]) is not null).ToArray();
        var points = candidates.Select(i => new CostQuality(cost(Variants[i])!.Value, Variants[i].Dice!.Value.Mean)).ToArray();
        return ParetoFront.Indices(points).Select(i => candidates[i]).ToArray();
    }
}
