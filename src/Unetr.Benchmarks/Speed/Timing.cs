using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;

namespace Unetr.Benchmarks.Speed;

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
    /// and returns the median of the per-round ratios first/second with each side's median.
    /// </summary>
    public static (double Ratio, double FirstMedian, double SecondMedian) Paired(Action first, Action second, int rounds)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        first();
        second();
        var a = new List<double>(rounds);
        var b = new List<double>(rounds);
        for (var round = 0; round < rounds; round++)
        {
            // Alternate which goes first, so neither always runs on a cache the other warmed.
            if (round % 2 == 0)
            {
                a.Add(Seconds(first));
                b.Add(Seconds(second));
            }
            else
            {
                b.Add(Seconds(second));
                a.Add(Seconds(first));
            }
        }

        return (Median(a.Zip(b, (x, y) => x / y).ToList()), Median(a), Median(b));
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

    private static double Seconds(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalSeconds;
    }
}
