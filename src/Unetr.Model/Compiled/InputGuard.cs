using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;

namespace Unetr.Model.Compiled;

/// <summary>Checks a generated network's input against the shape it was declared with.</summary>
public static class InputGuard
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the expected and actual shapes unless <paramref name="input"/> is [B, ..expected].</summary>
    public static void Require(torch.Tensor input, IReadOnlyList<long> expected, string network)
    {
        ArgumentNullException.ThrowIfNull(input);
        var actual = input.shape;
        var matches = actual.Length == expected.Count + 1 && actual[0] > 0 && actual.Skip(1).SequenceEqual(expected);
        if (!matches)
        {
            throw new ArgumentException(
                $"{network} expects input of shape [B, {string.Join(", ", expected)}] (B ≥ 1); got [{string.Join(", ", actual)}].",
                nameof(input));
        }
    }
}
