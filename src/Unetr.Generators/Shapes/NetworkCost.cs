using System;
using Unetr.Generators.Model;

namespace Unetr.Generators.Shapes
{
    /// <summary>Parameter count, MACs and a per-layer summary of a declared network, from its spec alone.</summary>
    internal static class NetworkCost
    {
        /// <summary>
        /// Costs a spec that passed validation (ImageSize divisible by PatchSize, log2(PatchSize) widths and extract
        /// layers). Throws <see cref="OverflowException"/> if a count does not fit in a <see cref="long"/>.
        /// </summary>
        public static CostReport Compute(UnetrSpec spec)
        {
            if (spec is null)
            {
                throw new ArgumentNullException(nameof(spec));
            }

            return spec.Layout == Layout.Seed ? SeedCost.Compute(spec) : MonaiCost.Compute(spec);
        }
    }
}
