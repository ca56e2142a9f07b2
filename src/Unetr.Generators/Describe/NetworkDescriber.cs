using System;
using Unetr.Generators.Model;

namespace Unetr.Generators.Describe
{
    /// <summary>Valid spec → the one description of its network, by the layout's describer.</summary>
    internal static class NetworkDescriber
    {
        /// <summary>
        /// Describes a spec that passed the spec rules (ImageSize divisible by PatchSize, log2(PatchSize) widths and
        /// extract layers). Throws <see cref="OverflowException"/> if a count does not fit in a <see cref="long"/>.
        /// </summary>
        public static NetworkDescriptor Describe(UnetrSpec spec)
        {
            if (spec is null)
            {
                throw new ArgumentNullException(nameof(spec));
            }

            return spec.Layout switch
            {
                Layout.Seed => SeedDescriber.Describe(spec),
                Layout.Monai => MonaiDescriber.Describe(spec),
                _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Layout, "No describer for this layout."),
            };
        }
    }
}
