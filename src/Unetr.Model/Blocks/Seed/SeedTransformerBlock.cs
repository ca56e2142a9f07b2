using TorchSharp.Modules;
using Unetr.Dsl;
using Unetr.Model.Export;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks.Seed
{
    /// <summary>
    /// Seed layout pre-norm transformer block:
    /// <c>x = x + attn(attention_norm(x)); x = x + mlp(mlp_norm(x))</c>, LayerNorm eps 1e-6.
    /// </summary>
    public sealed class SeedTransformerBlock : nn.Module<Tensor, Tensor>, IGraphBlock
    {
        // Declared in the seed code's registration order (its state_dict order), not in call order.
        private readonly LayerNorm attention_norm;
        private readonly LayerNorm mlp_norm;
        private readonly SeedFeedForward mlp;
        private readonly SeedSelfAttention attn;

        /// <summary>Creates the block.</summary>
        /// <param name="embedDim">Token width E.</param>
        /// <param name="heads">Number of attention heads.</param>
        /// <param name="mlpDim">Hidden width of the MLP.</param>
        /// <param name="dropout">Dropout rate used by attention and MLP.</param>
        /// <param name="activation">MLP activation.</param>
        public SeedTransformerBlock(long embedDim, long heads, long mlpDim, double dropout, MlpActivation activation)
            : base(nameof(SeedTransformerBlock))
        {
            attention_norm = nn.LayerNorm(embedDim, eps: 1e-6);
            mlp_norm = nn.LayerNorm(embedDim, eps: 1e-6);
            mlp = new SeedFeedForward(embedDim, mlpDim, dropout, activation);
            attn = new SeedSelfAttention(embedDim, heads, dropout);
            RegisterComponents();
        }

        /// <inheritdoc/>
        public GraphValue Export(GraphBuilder graph, GraphValue input)
        {
            var attended = graph.Add(input, graph.Apply(attn, graph.Apply(attention_norm, input)));
            return graph.Add(attended, graph.Apply(mlp, graph.Apply(mlp_norm, attended)));
        }

        /// <inheritdoc/>
        public override Tensor forward(Tensor tokens)
        {
            var attended = tokens + attn.call(attention_norm.call(tokens));
            return attended + mlp.call(mlp_norm.call(attended));
        }
    }
}
