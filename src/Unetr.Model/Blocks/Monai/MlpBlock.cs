using TorchSharp.Modules;
using Unetr.Dsl;
using Unetr.Model.Export;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks.Monai
{
    /// <summary>
    /// MONAI's <c>MLPBlock</c>: <c>drop2(linear2(drop1(act(linear1(x)))))</c>. <c>[B, N, H]</c> → <c>[B, N, H]</c>.
    /// </summary>
    public sealed class MlpBlock : nn.Module<Tensor, Tensor>, IGraphBlock
    {
        private readonly OneDnnLinear linear1;
        private readonly OneDnnLinear linear2;
        private readonly nn.Module<Tensor, Tensor> fn;
        private readonly Dropout drop1;
        private readonly Dropout drop2;

        /// <summary>Creates the MLP.</summary>
        /// <param name="hiddenSize">Token width.</param>
        /// <param name="mlpDim">Hidden width of the MLP.</param>
        /// <param name="dropout">Dropout rate after each Linear's activation / output.</param>
        /// <param name="activation">Activation after <c>linear1</c> (MONAI: exact GELU).</param>
        public MlpBlock(long hiddenSize, long mlpDim, double dropout, MlpActivation activation)
            : base(nameof(MlpBlock))
        {
            linear1 = new OneDnnLinear(hiddenSize, mlpDim);
            linear2 = new OneDnnLinear(mlpDim, hiddenSize);
            fn = Layers.Activation(activation);
            drop1 = nn.Dropout(dropout);
            drop2 = nn.Dropout(dropout);
            RegisterComponents();
        }

        /// <inheritdoc/>
        public GraphValue Export(GraphBuilder graph, GraphValue input) =>
            graph.Apply(linear2, graph.Apply(fn, graph.Apply(linear1, input)));

        /// <inheritdoc/>
        public override Tensor forward(Tensor tokens) =>
            drop2.call(linear2.call(drop1.call(fn.call(linear1.call(tokens)))));
    }
}
