using System.Collections.Generic;
using Unetr.Generators.Model;

namespace Unetr.Generators.Shapes
{
    /// <summary>One part of a top-level module: its name below the parent, kind, output shape and cost.</summary>
    internal readonly record struct Part(string Name, string Kind, EquatableArray<long> OutputShape, Cost Cost);

    /// <summary>Collects the summary rows in forward order and sums the network's cost from them.</summary>
    internal sealed class SummaryBuilder
    {
        private readonly List<SummaryRow> rows = new List<SummaryRow>();
        private Cost total;

        /// <summary>Adds a top-level module made of <paramref name="parts"/>; its output shape is the last part's.</summary>
        public void Add(string name, string kind, params Part[] parts)
        {
            var sum = Cost.Zero;
            foreach (var part in parts)
            {
                sum += part.Cost;
            }

            var outputShape = parts.Length == 0 ? EquatableArray<long>.Empty : parts[parts.Length - 1].OutputShape;
            rows.Add(new SummaryRow(name, kind, 0, outputShape, sum.Parameters, sum.Macs));
            foreach (var part in parts)
            {
                rows.Add(new SummaryRow(name + "." + part.Name, part.Kind, 1, part.OutputShape, part.Cost.Parameters, part.Cost.Macs));
            }

            total += sum;
        }

        public CostReport Build() =>
            new CostReport(total.Parameters, total.Macs, total.TorchinfoMacs, rows.ToEquatableArray());
    }
}
