using TorchSharp.Modules;
using Unetr.Dsl;
using Unetr.Model.Export;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks.Seed
{
    /// <summary>
    /// Seed layout position-wise MLP: <c>w_2(dropout(act(w_1(x))))</c>. <c>[B, N, E]</c> → <c>[B, N, E]</c>.
    /// </summary>
    public sealed class SeedFeedForward : nn.Module<Tensor, Tensor>, IGraphBlock
    {
        private readonly OneDnnLinear w_1;
        private readonly OneDnnLinear w_2;
        private readonly nn.Module<Tensor, Tensor> activation;
        private readonly Dropout dropout;

        /// <summary>Creates the MLP.</summary>
        /// <param name="embedDim">Token width E.</param>
        /// <param name="mlpDim">Hidden width of the MLP.</param>
        /// <param name="dropout">Dropout rate between the two Linear layers.</param>
        /// <param name="activation">Activation after <c>w_1</c> (the seed code uses ReLU).</param>
        public SeedFeedForward(long embedDim, long mlpDim, double dropout, MlpActivation activation)
            : base(nameof(SeedFeedForward))
        {
            w_1 = new OneDnnLinear(embedDim, mlpDim);
            w_2 = new OneDnnLinear(mlpDim, embedDim);
            this.activation = Layers.Activation(activation);
            this.dropout = nn.Dropout(dropout);
            RegisterComponents();
        }

        /// <inheritdoc/>
        public GraphValue Export(GraphBuilder graph, GraphValue input) =>
            graph.Apply(w_2, graph.Apply(activation, graph.Apply(w_1, input)));

        /// <inheritdoc/>
        public override Tensor forward(Tensor tokens) =>
            w_2.call(dropout.call(activation.call(w_1.call(tokens))));
    }
}
