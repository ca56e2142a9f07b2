using Unetr.Model.Export;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks.Seed
{
    /// <summary>
    /// Seed layout convolution with bias, stride 1 and padding (k−1)/2, so odd kernels keep the size.
    /// Child <c>block</c>.
    /// </summary>
    public sealed class SingleConvBlock : nn.Module<Tensor, Tensor>, IGraphBlock
    {
        private readonly nn.Module<Tensor, Tensor> block;

        /// <summary>Creates the convolution.</summary>
        /// <param name="spatialDims">2 or 3.</param>
        /// <param name="inChannels">Input channels.</param>
        /// <param name="outChannels">Output channels.</param>
        /// <param name="kernel">Kernel size along every axis.</param>
        public SingleConvBlock(int spatialDims, long inChannels, long outChannels, long kernel)
            : base(nameof(SingleConvBlock))
        {
            block = Layers.Conv(spatialDims, inChannels, outChannels, kernel, stride: 1, padding: (kernel - 1) / 2, bias: true);
            RegisterComponents();
        }

        /// <summary>The convolution, for <see cref="BatchNormFold"/>.</summary>
        internal IFoldableConvolution Convolution => (IFoldableConvolution)block;

        /// <inheritdoc/>
        public GraphValue Export(GraphBuilder graph, GraphValue input) => graph.Apply(block, input);

        /// <inheritdoc/>
        public override Tensor forward(Tensor input) => block.call(input);
    }
}
