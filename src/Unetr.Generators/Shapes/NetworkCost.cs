using System;
using System.Collections.Generic;
using Unetr.Generators.Describe;
using Unetr.Generators.Model;

namespace Unetr.Generators.Shapes
{
    /// <summary>Parameter count, MACs and a per-layer summary of a declared network, read from its descriptor.</summary>
    internal static class NetworkCost
    {
        /// <summary>
        /// Costs a spec that passed the spec rules; see <see cref="NetworkDescriber.Describe"/>. Throws
        /// <see cref="OverflowException"/> if a count does not fit in a <see cref="long"/>.
        /// </summary>
        public static CostReport Compute(UnetrSpec spec) => Of(NetworkDescriber.Describe(spec));

        /// <summary>The totals, and one row per child (depth 0) and per part (depth 1), children in forward call order.</summary>
        public static CostReport Of(NetworkDescriptor network)
        {
            if (network is null)
            {
                throw new ArgumentNullException(nameof(network));
            }

            var rows = new List<SummaryRow>();
            foreach (var module in network.ModulesInCallOrder)
            {
                rows.Add(new SummaryRow(module.Name, module.Kind, 0, module.OutputShape, module.Cost.Parameters, module.Cost.Macs));
                foreach (var part in module.Parts)
                {
                    rows.Add(new SummaryRow(module.Name + "." + part.Name, part.Kind, 1, part.OutputShape, part.Cost.Parameters, part.Cost.Macs));
                }
            }

            var total = network.Total;
            return new CostReport(total.Parameters, total.Macs, total.TorchinfoMacs, rows.ToEquatableArray());
        }
    }
}
