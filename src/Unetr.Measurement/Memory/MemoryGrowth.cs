using System;
using System.Collections.Generic;
using System.Linq;

namespace Unetr.Measurement.Memory;

/// <summary>
/// How resident memory moved over a run after a settling step. Warm-up allocations (libtorch's caches, the optimizer's
/// moment buffers, the JIT, the first validation) happen before the settling step; a leak shows as growth after it.
/// Resident memory also saws up and down by a few percent as the garbage collector and the C allocator take and give
/// back memory, so growth is measured between two windows of steps by their medians: the window that starts at the
/// settling step and the last window of the run. The largest single sample is reported beside it.
/// </summary>
/// <param name="SettledStep">First step of the reference window.</param>
/// <param name="Window">Steps per window.</param>
/// <param name="SettledMedian">Median resident bytes over the reference window.</param>
/// <param name="FinalMedian">Median resident bytes over the last window.</param>
/// <param name="PeakBytes">Largest resident bytes at or after <paramref name="SettledStep"/>.</param>
/// <param name="PeakStep">The step of <paramref name="PeakBytes"/>.</param>
public sealed record MemoryGrowth(long SettledStep, int Window, long SettledMedian, long FinalMedian, long PeakBytes, long PeakStep)
{
    /// <summary>(final median − settled median) / settled median: the growth a leak would cause.</summary>
    public double Growth => (double)(FinalMedian - SettledMedian) / SettledMedian;

    /// <summary>(peak − settled median) / settled median: growth plus the largest swing.</summary>
    public double PeakGrowth => (double)(PeakBytes - SettledMedian) / SettledMedian;

    /// <summary>Measures growth from samples of (step, resident bytes) in increasing step order.</summary>
    /// <exception cref="ArgumentException">
    /// The samples are out of order, or they do not hold a full window from <paramref name="settledStep"/> and a
    /// later full window at the end.
    /// </exception>
    public static MemoryGrowth From(IReadOnlyList<(long Step, long Bytes)> samples, long settledStep, int window)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        for (var i = 1; i < samples.Count; i++)
        {
            if (samples[i].Step <= samples[i - 1].Step)
            {
                throw new ArgumentException($"Samples must be in increasing step order; step {samples[i].Step} follows {samples[i - 1].Step}.", nameof(samples));
            }
        }

        var settled = samples.Where(s => s.Step >= settledStep).ToList();
        if (settled.Count < 2 * window)
        {
            throw new ArgumentException(
                $"Need at least {2 * window} samples from the settling step {settledStep} on (two windows of {window}); got {settled.Count}{(samples.Count == 0 ? string.Empty : $" (samples cover steps {samples[0].Step}..{samples[^1].Step})")}.",
                nameof(samples));
        }

        var peak = settled.MaxBy(s => s.Bytes);
        return new MemoryGrowth(settledStep, window, Median(settled.Take(window)), Median(settled.Skip(settled.Count - window)), peak.Bytes, peak.Step);
    }

    private static long Median(IEnumerable<(long Step, long Bytes)> window)
    {
        var sorted = window.Select(s => s.Bytes).Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
