using Unetr.Generators.Model;

namespace Unetr.Generators.Shapes
{
    /// <summary>
    /// What one forward pass of a declared network costs, batch 1.
    /// </summary>
    /// <param name="Parameters">Every trainable parameter the module owns, run or not (buffers excluded).</param>
    /// <param name="Macs">
    /// Multiply-accumulates in our convention: a convolution costs Cout·Cin·k^d per output voxel, a transposed
    /// convolution Cin·Cout·k^d per input voxel, a Linear in·out per token, and each transformer block adds its two
    /// attention products (QKᵀ and AV, N·N·E each). Biases, norms, activations, additions and softmax are free.
    /// </param>
    /// <param name="TorchinfoMacs">
    /// The "Total mult-adds" of torchinfo/torch-summary for the modules that run, in the versions that count only
    /// <c>weight</c> tensors: a (transposed) convolution's weight elements × its output voxels, any other weight
    /// (Linear, LayerNorm, BatchNorm) once per sample. Biases, position embeddings and attention products are not
    /// counted; a module that never runs (the seed's <c>encoder_norm</c>) is not counted either.
    /// </param>
    /// <param name="Rows">A torchinfo-like table in forward execution order; see <see cref="SummaryRow"/>.</param>
    internal sealed record CostReport(long Parameters, long Macs, long TorchinfoMacs, EquatableArray<SummaryRow> Rows);

    /// <summary>
    /// One line of the summary. Depth 0 is a direct child of the network (<c>transformer</c>, <c>decoder3</c>,
    /// <c>vit</c>, <c>out</c>, …) with the totals of everything below it; depth 1 its parts, named like the PyTorch
    /// <c>state_dict</c> prefix they own (<c>decoder3.0</c>, <c>vit.blocks</c>), so that a row's parameters are the
    /// sum of the parameters under that prefix. Repeated transformer blocks share one row whose kind says how many.
    /// </summary>
    /// <param name="Name">The module path, as in the PyTorch <c>state_dict</c>.</param>
    /// <param name="Kind">What the module is, e.g. <c>ConvTranspose3d</c> or <c>Block ×12</c>.</param>
    /// <param name="Depth">0 for the network's children, 1 for theirs.</param>
    /// <param name="OutputShape">Output shape per sample, without the batch axis: [C, D, H, W] or [N, E] for tokens.</param>
    /// <param name="Parameters">Trainable parameters under this module.</param>
    /// <param name="Macs">Multiply-accumulates in our convention (see <see cref="CostReport.Macs"/>).</param>
    internal sealed record SummaryRow(
        string Name,
        string Kind,
        int Depth,
        EquatableArray<long> OutputShape,
        long Parameters,
        long Macs);
}
