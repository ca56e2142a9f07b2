using System;
using System.Collections.Generic;
using System.Linq;
using Unetr.Model.Training;

namespace Unetr.Model.Data.Sources;

/// <summary>Splits a list into training and validation when a dataset lists no validation volumes.</summary>
public static class HeldOutValidation
{
    /// <summary>The fraction held out when the caller does not choose one.</summary>
    public const double DefaultFraction = 0.2;

    /// <summary>
    /// Holds out round(<paramref name="fraction"/> × n) items (at least 1, at most n − 1), chosen by a seeded
    /// shuffle: the same list, fraction and seed always give the same split, on every runtime. Both parts keep the
    /// list's order.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fraction"/> is not in (0, 1).</exception>
    /// <exception cref="ArgumentException">The list has fewer than two items, so nothing can be held out.</exception>
    public static (IReadOnlyList<T> Training, IReadOnlyList<T> Validation) Split<T>(IReadOnlyList<T> items, double fraction, long seed)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (!(fraction > 0 && fraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The held-out fraction must be in (0, 1).");
        }

        if (items.Count < 2)
        {
            throw new ArgumentException(
                $"Holding out validation volumes needs at least 2 training volumes; got {items.Count}. List validation volumes explicitly instead.", nameof(items));
        }

        var held = Math.Clamp((int)Math.Round(fraction * items.Count, MidpointRounding.AwayFromZero), 1, items.Count - 1);
        var order = Enumerable.Range(0, items.Count).ToArray();
        var random = new SeededRandom(seed);
        for (var i = order.Length - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }

        var validation = order.Take(held).ToHashSet();
        return (
            Enumerable.Range(0, items.Count).Where(i => !validation.Contains(i)).Select(i => items[i]).ToArray(),
            Enumerable.Range(0, items.Count).Where(validation.Contains).Select(i => items[i]).ToArray());
    }
}
