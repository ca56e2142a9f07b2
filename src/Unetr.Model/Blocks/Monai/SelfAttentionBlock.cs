using TorchSharp.Modules;
using Unetr.Model.Export;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks.Monai
{
    /// <summary>
    /// MONAI's <c>SABlock</c>: a fused <c>qkv</c> Linear whose output rows are ordered [q | k | v], each
    /// [head][head_dim]; softmax(q·kᵀ·head_dim^-0.5) with dropout on the weights; <c>out_proj</c> then
    /// dropout. <c>[B, N, H]</c> → <c>[B, N, H]</c>.
    /// </summary>
    public sealed class SelfAttentionBlock : nn.Module<Tensor, Tensor>, IGraphBlock
    {
        // MONAI creates out_proj before qkv; the declaration order keeps its state_dict order.
        private readonly OneDnnLinear out_proj;
        private readonly OneDnnLinear qkv;
        private readonly Dropout drop_output;
        private readonly long heads;
        private readonly double dropout;

        /// <summary>Creates the attention layer.</summary>
        /// <param name="hiddenSize">Token width, a multiple of <paramref name="heads"/>.</param>
        /// <param name="heads">Number of attention heads.</param>
        /// <param name="dropout">Dropout rate on attention weights and on the output.</param>
        /// <param name="qkvBias">Whether <c>qkv</c> has a bias (MONAI default: no).</param>
        public SelfAttentionBlock(long hiddenSize, long heads, double dropout, bool qkvBias)
            : base(nameof(SelfAttentionBlock))
        {
            TransformerChecks.HeadsDivideWidth(hiddenSize, heads);
            out_proj = new OneDnnLinear(hiddenSize, hiddenSize);
            qkv = new OneDnnLinear(hiddenSize, 3 * hiddenSize, hasBias: qkvBias);
            drop_output = nn.Dropout(dropout);
            this.heads = heads;
            this.dropout = dropout;
            RegisterComponents();
        }

        /// <inheritdoc/>
        public GraphValue Export(GraphBuilder graph, GraphValue input)
        {
            // [B, N, 3·H·D] → [3, B, heads, N, D], as forward.
            var projected = graph.Transpose(graph.Reshape(graph.Apply(qkv, input), 0, 0, 3, heads, -1), 2, 0, 3, 1, 4);
            var context = graph.Attention(graph.Select(projected, 0), graph.Select(projected, 1), graph.Select(projected, 2), qkv.Weight.shape[1] / heads);
            return graph.Apply(out_proj, graph.MergeHeads(context));
        }

        /// <inheritdoc/>
        public override Tensor forward(Tensor tokens)
        {
            var (batch, length, width) = (tokens.shape[0], tokens.shape[1], tokens.shape[2]);
            // [B, N, 3·H·D] → [3, B, heads, N, D]
            var projected = qkv.call(tokens).view(batch, length, 3, heads, width / heads).permute(2, 0, 3, 1, 4);
            var context = AttentionHeads.Attend(projected[0], projected[1], projected[2], dropout, training);
            return drop_output.call(out_proj.call(AttentionHeads.Merge(context)));
        }
    }
}
