using TorchSharp.Modules;
using TorchSharp.Utils;
using Unetr.Model.Export;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks.Seed
{
    /// <summary>
    /// Seed layout multi-head self-attention with separate <c>query</c>, <c>key</c>, <c>value</c> and
    /// <c>out</c> Linear layers (all with bias); scale 1/√head_dim; dropout on the attention weights
    /// and after <c>out</c>. <c>[B, N, E]</c> → <c>[B, N, E]</c>.
    /// </summary>
    public sealed class SeedSelfAttention : nn.Module<Tensor, Tensor>, IGraphBlock
    {
        private readonly OneDnnLinear query;
        private readonly OneDnnLinear key;
        private readonly OneDnnLinear value;
        [ComponentName(Name = "out")]
        private readonly OneDnnLinear output;
        private readonly Dropout proj_dropout;
        private readonly long heads;
        private readonly double dropout;

        /// <summary>Creates the attention layer.</summary>
        /// <param name="embedDim">Token width E, a multiple of <paramref name="heads"/>.</param>
        /// <param name="heads">Number of attention heads.</param>
        /// <param name="dropout">Dropout rate on attention weights and on the output.</param>
        public SeedSelfAttention(long embedDim, long heads, double dropout)
            : base(nameof(SeedSelfAttention))
        {
            TransformerChecks.HeadsDivideWidth(embedDim, heads);
            query = new OneDnnLinear(embedDim, embedDim);
            key = new OneDnnLinear(embedDim, embedDim);
            value = new OneDnnLinear(embedDim, embedDim);
            output = new OneDnnLinear(embedDim, embedDim);
            proj_dropout = nn.Dropout(dropout);
            this.heads = heads;
            this.dropout = dropout;
            RegisterComponents();
        }

        /// <inheritdoc/>
        public GraphValue Export(GraphBuilder graph, GraphValue input)
        {
            var context = graph.Attention(
                graph.SplitHeads(graph.Apply(query, input), heads),
                graph.SplitHeads(graph.Apply(key, input), heads),
                graph.SplitHeads(graph.Apply(value, input), heads),
                query.Weight.shape[0] / heads);
            return graph.Apply(output, graph.MergeHeads(context));
        }

        /// <inheritdoc/>
        public override Tensor forward(Tensor tokens)
        {
            var context = AttentionHeads.Attend(
                AttentionHeads.Split(query.call(tokens), heads),
                AttentionHeads.Split(key.call(tokens), heads),
                AttentionHeads.Split(value.call(tokens), heads),
                dropout,
                training);
            return proj_dropout.call(output.call(AttentionHeads.Merge(context)));
        }
    }
}
