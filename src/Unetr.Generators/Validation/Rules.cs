using System;
using System.Collections.Generic;
using Unetr.Generators.Model;

namespace Unetr.Generators.Validation
{
    /// <summary>Small facts about valid declarations, shared by parsing (defaults) and validation (suggestions).</summary>
    internal static class Rules
    {
        public const int MinPatchSize = 4;
        public const int MaxPatchSize = 32;

        /// <summary>log2 of a supported patch size; 0 for an unsupported one.</summary>
        public static int StagesFor(int patchSize)
        {
            if (patchSize < MinPatchSize || patchSize > MaxPatchSize || (patchSize & (patchSize - 1)) != 0)
            {
                return 0;
            }

            var stages = 0;
            for (var p = patchSize; p > 1; p >>= 1)
            {
                stages++;
            }

            return stages;
        }

        /// <summary>MONAI-style widths: 16 × 2^k, one per stage.</summary>
        public static EquatableArray<int> DefaultWidths(int stages)
        {
            var widths = new List<int>();
            for (var k = 0; k < stages; k++)
            {
                widths.Add(16 << k);
            }

            return widths.ToEquatableArray();
        }

        /// <summary>
        /// Evenly spaced 1-based blocks, the last one being the deepest. Seed: k·Depth/n (3, 6, 9, 12); MONAI reads the
        /// outputs of blocks k·Depth/n + 1 (4, 7, 10) and the final block (12), unless the shift would collide with it.
        /// </summary>
        public static EquatableArray<int> DefaultExtractLayers(Layout layout, int depth, int stages)
        {
            if (stages <= 0)
            {
                return EquatableArray<int>.Empty;
            }

            // MONAI's shift by one (block outputs 4, 7, 10 of 12) is kept only where it cannot reach the last block.
            var shift = layout == Layout.Monai && (long)(stages - 1) * depth / stages + 1 < depth ? 1 : 0;
            var layers = new List<int>();
            for (var k = 1; k < stages; k++)
            {
                layers.Add((int)((long)k * depth / stages) + shift);
            }

            layers.Add(depth);

            return layers.ToEquatableArray();
        }

        /// <summary>The multiple of <paramref name="patchSize"/> nearest to <paramref name="size"/> (halfway rounds up), at least one patch.</summary>
        public static int NearestMultiple(int size, int patchSize)
        {
            var below = Math.Max(patchSize, size / patchSize * patchSize);
            var above = (size / patchSize + 1L) * patchSize;
            return above > int.MaxValue || size - below < above - size ? below : (int)above;
        }

        /// <summary>The divisor of <paramref name="embedDim"/> nearest to <paramref name="heads"/>; halfway, the smaller (wider heads).</summary>
        public static int NearestDivisor(int embedDim, int heads)
        {
            var candidates = NearestDivisors(embedDim, heads);
            var best = candidates[0];
            foreach (var candidate in candidates)
            {
                if (Math.Abs((long)candidate - heads) < Math.Abs((long)best - heads))
                {
                    best = candidate;
                }
            }

            return best;
        }

        /// <summary>The divisors of <paramref name="embedDim"/> nearest to <paramref name="heads"/>, below and above.</summary>
        /// <remarks>
        /// Divisors come in pairs (d, embedDim / d) with d ≤ √embedDim, so at most 46,341 trial divisions even for
        /// int.MaxValue; scanning the counts between <paramref name="heads"/> and the answer could take 2^31.
        /// </remarks>
        public static IReadOnlyList<int> NearestDivisors(int embedDim, int heads)
        {
            var below = 0;
            var above = 0;
            for (var d = 1; (long)d * d <= embedDim; d++)
            {
                if (embedDim % d != 0)
                {
                    continue;
                }

                foreach (var divisor in new[] { d, embedDim / d })
                {
                    if (divisor < heads && divisor > below)
                    {
                        below = divisor;
                    }
                    else if (divisor > heads && (above == 0 || divisor < above))
                    {
                        above = divisor;
                    }
                }
            }

            var result = new List<int>();
            if (below > 0)
            {
                result.Add(below);
            }

            if (above > 0)
            {
                result.Add(above);
            }

            return result;
        }
    }
}
