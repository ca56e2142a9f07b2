using System;
using System.Linq;

namespace Unetr.Model.Blocks
{
    /// <summary>Argument checks shared by the two transformer encoders.</summary>
    internal static class TransformerChecks
    {
        public static void HeadsDivideWidth(long width, long heads)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(heads, 1);
            if (width % heads != 0)
            {
                throw new ArgumentException($"Token width {width} must be divisible by the number of heads {heads}.", nameof(heads));
            }
        }

        /// <summary>Extract layers are 1-based block numbers, strictly increasing, at most <paramref name="depth"/>.</summary>
        public static int[] ExtractLayers(int[] extractLayers, int depth)
        {
            ArgumentNullException.ThrowIfNull(extractLayers);
            var valid = extractLayers.Length > 0
                && extractLayers[0] >= 1
                && extractLayers[^1] <= depth
                && extractLayers.Zip(extractLayers.Skip(1)).All(pair => pair.First < pair.Second);
            if (!valid)
            {
                throw new ArgumentException(
                    $"Extract layers [{string.Join(", ", extractLayers)}] must be strictly increasing 1-based block numbers from 1 to {depth}.",
                    nameof(extractLayers));
            }

            return extractLayers.ToArray();
        }
    }
}
