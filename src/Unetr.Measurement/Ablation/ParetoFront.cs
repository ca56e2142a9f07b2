using System;
using System.Collections.Generic;
using System.Linq;

namespace Unetr.Measurement.Ablation;

/// <summary>A point to compare: what it costs (lower is better) and what it achieves (higher is better).</summary>
/// <param name="Cost">E.g. MACs or latency.</param>
/// <param name="Quality">E.g. Dice.</param>
public readonly record struct CostQuality(double Cost, double Quality);

/// <summary>The Pareto front of points that trade a cost to minimise against a quality to maximise.</summary>
public static class ParetoFront
{
    /// <summary>
    /// Indices of the points no other point dominates, ordered by increasing cost (then decreasing quality, then index).
    /// A point dominates another when it costs no more and achieves no less, and is strictly better in one of the two;
    /// so equal points are all on the front or all off it.
    /// </summary>
    /// <exception cref="ArgumentException">A cost or quality is NaN or infinite.</exception>
    public static IReadOnlyList<int> Indices(IReadOnlyList<CostQuality> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        for (var i = 0; i < points.Count; i++)
        {
            if (!double.IsFinite(points[i].Cost) || !double.IsFinite(points[i].Quality))
            {
                throw new ArgumentException($"Point {i} is ({points[i].Cost}, {points[i].Quality}); costs and qualities must be finite numbers.", nameof(points));
            }
        }

        return Enumerable.Range(0, points.Count)
            .Where(i => !points.Any(other => Dominates(other, points[i])))
            .OrderBy(i => points[i].Cost)
            .ThenByDescending(i => points[i].Quality)
            .ThenBy(i => i)
            .ToArray();
    }

    /// <summary>Whether <paramref name="a"/> costs no more and achieves no less than <paramref name="b"/>, and is strictly better in one.</summary>
    public static bool Dominates(CostQuality a, CostQuality b) =>
        a.Cost <= b.Cost && a.Quality >= b.Quality && (a.Cost < b.Cost || a.Quality > b.Quality);
}
