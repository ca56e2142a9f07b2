using System;
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

    /// <summary>
    /// An estimate of the float32 activation memory a training step keeps for its backward pass, in bytes, from this
    /// compile-time table: each innermost row keeps a number of tensors of its output's size that depends on what it is
    /// (a residual block's convolutions, norms and activations; a transformer block's norms, projections, attention
    /// weights and MLP), times <paramref name="batch"/>. With checkpointing, a checkpointed module keeps only its output,
    /// and the backward pass holds one module's activations again while it recomputes it (one sample's, when the network
    /// has no batch norm). Gradients, weights and optimizer
    /// state are not included; neither is the allocator's slack.
    /// </summary>
    /// <param name="batch">Samples per batch.</param>
    /// <param name="encoderCheckpointing">The transformer blocks are checkpointed (<c>[Encoder(Checkpointing = true)]</c>).</param>
    /// <param name="decoderCheckpointing">The convolutional stages are checkpointed (<c>[Decoder(Checkpointing = true)]</c>).</param>
    public long EstimateActivationBytes(long batch, bool encoderCheckpointing = false, bool decoderCheckpointing = false)
    {
        long kept = 0;
        long largestRecomputed = 0;
        string parentKind = string.Empty;
        var parentCheckpointed = false;
        var parentElements = 0L;
        var parentLeaves = 0L;
        for (var i = 0; i < Rows.Count; i++)
        {
            var row = Rows[i];
            if (row.Depth == 0)
            {
                Close();
                parentKind = row.Kind;
                parentElements = Elements(row.OutputShape);
                // A stage of the convolutional path (its output a volume, not a token sequence).
                parentCheckpointed = decoderCheckpointing && row.OutputShape.Count == InputShape.Count;
            }

            var isLeaf = i + 1 == Rows.Count || Rows[i + 1].Depth <= row.Depth;
            if (!isLeaf)
            {
                continue;
            }

            var elements = Elements(row.OutputShape) * KeptTensors(parentKind, row);
            if (row.Kind.Contains(" ×", StringComparison.Ordinal) && encoderCheckpointing)
            {
                // Checkpointed transformer blocks keep their inputs, one token sequence each.
                var blocks = Blocks(row.Kind);
                kept += Elements(row.OutputShape) * blocks;
                largestRecomputed = Math.Max(largestRecomputed, elements / blocks);
            }
            else
            {
                parentLeaves += elements;
            }
        }

        Close();
        // Without batch norm the backward pass recomputes one sample at a time (Checkpoint.SamplesIndependent).
        // (The table names batch norm in the seed blocks and in its own rows; a MONAI block's norm is not a row of it.)
        var samplewise = !Rows.Any(r => r.Kind.Contains("BatchNorm", StringComparison.Ordinal) || r.Kind is "ConvBlock" or "DeconvBlock");
        return 4 * (batch * kept + (samplewise ? 1 : batch) * largestRecomputed);

        void Close()
        {
            if (parentCheckpointed)
            {
                kept += parentElements;
                largestRecomputed = Math.Max(largestRecomputed, parentLeaves);
            }
            else
            {
                kept += parentLeaves;
            }

            parentLeaves = 0;
        }
    }

    // Tensors of a row's output size that autograd keeps, by what the row is (and, for a Sequential, what holds it).
    private static long KeptTensors(string parentKind, SummaryRow row)
    {
        var kind = row.Kind;
        if (kind.Contains(" ×", StringComparison.Ordinal))
        {
            // Per block of T tokens × E: two norms, qkv (3), attention output, out projection, two residual sums, the MLP's
            // output (10 × E), the MLP's hidden layer before and after its activation (2 × M), and the attention scores and
            // weights (2 × heads × T, heads taken as E / 64). M from the parameters: 4E² + 2EM per block, biases aside.
            var tokens = row.OutputShape[0];
            var embed = row.OutputShape[1];
            var blocks = Blocks(kind);
            var mlp = Math.Max(1, ((row.Parameters / blocks) - (4 * embed * embed)) / (2 * embed));
            var heads = Math.Max(1, embed / 64);
            return blocks * ((10 * embed) + (2 * mlp) + (2 * heads * tokens)) / embed;
        }

        return kind switch
        {
            "UnetResBlock" => parentKind == "UnetrUpBlock" ? 11 : 8, // conv, norm, act ×2, shortcut conv and norm, sum, act; + the concatenation (2) in an up block
            "UnetBasicBlock" => parentKind == "UnetrUpBlock" ? 8 : 6,
            "Sequential" => parentKind == "UnetrPrUpBlock" ? 8 : 4, // transposed conv + residual block; seed: deconv, conv, norm, act
            "ConvBlock" => 3,
            "DeconvBlock" => 4,
            "PatchEmbeddingBlock" or "Embeddings" => 2,
            _ => 1, // a convolution, transposed convolution or norm: its output
        };
    }

    private static long Blocks(string kind) =>
        long.Parse(kind[(kind.LastIndexOf('×') + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture);

    private static long Elements(IReadOnlyList<long> shape) => shape.Aggregate(1L, (a, b) => a * b);
}
