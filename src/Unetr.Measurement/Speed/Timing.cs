using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;

namespace Unetr.Measurement.Speed;

/// <summary>Wall-clock timing for the speed report: warm-up, repeats, medians.</summary>
public static class Timing
{
    /// <summary>Median and minimum seconds of <paramref name="repeats"/> runs after one warm-up run.</summary>
    public static (double Median, double Min) Measure(Action action, int repeats)
    {
        ArgumentNullException.ThrowIfNull(action);
        action();
        var times = new List<double>(repeats);
        for (var i = 0; i < repeats; i++)
        {
            times.Add(Seconds(action));
        }

        return (Median(times), times.Min());
    }

    /// <summary>
    /// Times <paramref name="first"/> and <paramref name="second"/> alternately, so that both see the same machine load,
    /// and returns the per-round ratios first/second with each side's median. Each side first runs
    /// <paramref name="warmups"/> untimed passes, so that both start timing with their memory already mapped.
    /// </summary>
    public static PairedTiming Paired(Action first, Action second, int rounds, int warmups = 1)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        return PairedTimed(() => Seconds(first), () => Seconds(second), rounds, warmups);
    }

    /// <summary>
    /// As <see cref="Paired"/>, for workloads that report their own seconds (a PyTorch worker times itself, so the
    /// messages to and from it are not counted).
    /// </summary>
    public static PairedTiming PairedTimed(Func<double> first, Func<double> second, int rounds, int warmups = 1)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        ArgumentOutOfRangeException.ThrowIfNegative(warmups);
        for (var pass = 0; pass < warmups; pass++)
        {
            first();
            second();
        }

        var a = new List<double>(rounds);
        var b = new List<double>(rounds);
        for (var round = 0; round < rounds; round++)
        {
            // Alternate which goes first, so neither always runs on a cache the other warmed.
            if (round % 2 == 0)
            {
                a.Add(first());
                b.Add(second());
            }
            else
            {
                b.Add(second());
                a.Add(first());
            }
        }

        return new PairedTiming(a.Zip(b, (x, y) => x / y).ToList(), Median(a), Median(b));
    }

    /// <summary>The median of a non-empty list.</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            throw new ArgumentException("Need at least one value.", nameof(values));
        }

        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>The <paramref name="fraction"/> quantile of a non-empty list, interpolating linearly between ranks.</summary>
    public static double Quantile(IReadOnlyList<double> values, double fraction)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfLessThan(fraction, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fraction, 1.0);
        if (values.Count == 0)
        {
            throw new ArgumentException("Need at least one value.", nameof(values));
        }

        var sorted = values.Order().ToArray();
        var rank = fraction * (sorted.Length - 1);
        var below = (int)Math.Floor(rank);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + ((rank - below) * (sorted[above] - sorted[below]));
    }

    /// <summary>Wall-clock seconds of one run of <paramref name="action"/>.</summary>
    public static double Seconds(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalSeconds;
    }
}

/// <summary>
/// Paired rounds of two workloads: the per-round time ratios first/second and each side's median seconds. The ratio is
/// their median; the middle half of the ratios (first to third quartile) is the noise band, and a ratio whose band
/// holds 1 is parity within noise.
/// </summary>
public sealed record PairedTiming(IReadOnlyList<double> Ratios, double FirstMedian, double SecondMedian)
{
    /// <summary>Median per-round ratio.</summary>
    public double Ratio => Timing.Median(Ratios);

    /// <summary>First quartile of the per-round ratios.</summary>
    public double Low => Timing.Quantile(Ratios, 0.25);

    /// <summary>Third quartile of the per-round ratios.</summary>
    public double High => Timing.Quantile(Ratios, 0.75);

    /// <summary>Whether the middle half of the per-round ratios holds 1.</summary>
    public bool IsParityWithinNoise => Low <= 1.0 && 1.0 <= High;

    /// <summary>
    /// Pools two timings of the same pair, for example with the two sides built in opposite orders: every per-round
    /// ratio of both, and for each side the mean of its two medians.
    /// </summary>
    public static PairedTiming Pool(PairedTiming first, PairedTiming second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        return new PairedTiming(first.Ratios.Concat(second.Ratios).ToList(), (first.FirstMedian + second.FirstMedian) / 2, (first.SecondMedian + second.SecondMedian) / 2);
    }

    /// <summary>Against a goal ratio: met when the whole middle half is at or above it, missed when it is all below.</summary>
    public string Against(double goal) =>
        Low >= goal ? "goal met" : High < goal ? "goal missed" : "goal within noise";
}
