using TorchSharp.Modules;
using Unetr.Dsl;
using Unetr.Model.Export;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks.Monai
{
    /// <summary>
    /// MONAI's pre-norm <c>TransformerBlock</c> without cross-attention:
    /// <c>x = x + attn(norm1(x)); x = x + mlp(norm2(x))</c>, LayerNorm eps 1e-5.
    /// </summary>
    /// <remarks>
    /// MONAI ≥ 1.4 also creates <c>norm_cross_attn</c> and <c>cross_attn</c>, which UNETR never calls; they are
    /// left out, and <see cref="Checkpoints.StateDictLoader"/> skips their keys by name.
    /// </remarks>
    public sealed class TransformerBlock : nn.Module<Tensor, Tensor>, IGraphBlock
    {
        // Declared in MONAI's registration order (its state_dict order), not in call order.
        private readonly MlpBlock mlp;
        private readonly LayerNorm norm1;
        private readonly SelfAttentionBlock attn;
        private readonly LayerNorm norm2;

        /// <summary>Creates the block.</summary>
        /// <param name="hiddenSize">Token width.</param>
        /// <param name="mlpDim">Hidden width of the MLP.</param>
        /// <param name="heads">Number of attention heads.</param>
        /// <param name="dropout">Dropout rate used by attention and MLP.</param>
        /// <param name="qkvBias">Whether the fused <c>qkv</c> Linear has a bias.</param>
        /// <param name="activation">MLP activation.</param>
        public TransformerBlock(long hiddenSize, long mlpDim, long heads, double dropout, bool qkvBias, MlpActivation activation)
            : base(nameof(TransformerBlock))
        {
            mlp = new MlpBlock(hiddenSize, mlpDim, dropout, activation);
            norm1 = nn.LayerNorm(hiddenSize, eps: 1e-5);
            attn = new SelfAttentionBlock(hiddenSize, heads, dropout, qkvBias);
            norm2 = nn.LayerNorm(hiddenSize, eps: 1e-5);
            RegisterComponents();
        }

        /// <inheritdoc/>
        public GraphValue Export(GraphBuilder graph, GraphValue input)
        {
            var attended = graph.Add(input, graph.Apply(attn, graph.Apply(norm1, input)));
            return graph.Add(attended, graph.Apply(mlp, graph.Apply(norm2, attended)));
        }

        /// <inheritdoc/>
        public override Tensor forward(Tensor tokens)
        {
            var attended = tokens + attn.call(norm1.call(tokens));
            return attended + mlp.call(norm2.call(attended));
        }
    }
}
