using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace Unetr.Model.Compiled;

/// <summary>One row of a compile-time summary: a module, its per-sample output shape, parameters and multiply-accumulates.</summary>
/// <param name="Name">Dotted module path, as in the state_dict.</param>
/// <param name="Kind">What the module is.</param>
/// <param name="Depth">0 for the network's children, 1 for theirs.</param>
/// <param name="OutputShape">Per-sample output shape (no batch axis).</param>
/// <param name="Parameters">Trainable parameters.</param>
/// <param name="MultiplyAccumulates">MACs of one sample by <see cref="ModelSummary.MacConvention"/>.</param>
public sealed record SummaryRow(string Name, string Kind, int Depth, IReadOnlyList<long> OutputShape, long Parameters, long MultiplyAccumulates);

/// <summary>A torchinfo-like table of a generated network, computed entirely by the generator at build time.</summary>
/// <param name="Network">The generated class.</param>
/// <param name="InputShape">Per-sample input shape.</param>
/// <param name="Rows">Modules in forward order.</param>
/// <param name="Parameters">Total trainable parameters.</param>
/// <param name="MultiplyAccumulates">Total MACs by <see cref="MacConvention"/>.</param>
/// <param name="TorchinfoMultiplyAccumulates">Total MACs by <see cref="TorchinfoConvention"/>.</param>
public sealed record ModelSummary(
    string Network,
    IReadOnlyList<long> InputShape,
    IReadOnlyList<SummaryRow> Rows,
    long Parameters,
    long MultiplyAccumulates,
    long TorchinfoMultiplyAccumulates)
{
    /// <summary>How <see cref="MultiplyAccumulates"/> counts.</summary>
    public const string MacConvention =
        "per-voxel: convolutions per output voxel, transposed convolutions per input voxel, linear layers per token, plus QKᵀ and AV; norms, activations and biases not counted";

    /// <summary>How <see cref="TorchinfoMultiplyAccumulates"/> counts (torchinfo's "Total mult-adds").</summary>
    public const string TorchinfoConvention =
        "torchinfo (weights only, as the seed document reports it): (transposed) convolution weights per output voxel, every other executed layer's weights once per sample (norms included); biases and attention products not counted";

    /// <inheritdoc />
    public override string ToString()
    {
        var culture = CultureInfo.InvariantCulture;
        var lines = new List<string[]> { new[] { "Layer", "Kind", "Output shape", "Params", "MACs" } };
        lines.AddRange(Rows.Select(r => new[]
        {
            new string(' ', 2 * r.Depth) + r.Name,
            r.Kind,
            "[B, " + string.Join(", ", r.OutputShape) + "]",
            r.Parameters.ToString("N0", culture),
            r.MultiplyAccumulates.ToString("N0", culture),
        }));
        var widths = Enumerable.Range(0, 5).Select(c => lines.Max(l => l[c].Length)).ToArray();
        var text = new StringBuilder();
        text.AppendLine($"{Network}: input [B, {string.Join(", ", InputShape)}]");
        foreach (var line in lines)
        {
            text.AppendLine(string.Join("  ", line.Select((cell, c) => c >= 3 ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]))).TrimEnd());
        }

        text.AppendLine($"Total params: {Parameters.ToString("N0", culture)}");
        text.AppendLine($"MACs ({MacConvention}): {MultiplyAccumulates.ToString("N0", culture)}");
        text.AppendLine($"MACs ({TorchinfoConvention}): {TorchinfoMultiplyAccumulates.ToString("N0", culture)}");
        return text.ToString();
    }
}
