using Unetr.Model.Export;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks.Seed
{
    /// <summary>
    /// Seed layout transposed convolution with kernel 2, stride 2 and bias: doubles every spatial axis.
    /// Child <c>block</c>.
    /// </summary>
    public sealed class SingleDeconvBlock : nn.Module<Tensor, Tensor>, IGraphBlock
    {
        private readonly nn.Module<Tensor, Tensor> block;

        /// <summary>Creates the transposed convolution.</summary>
        /// <param name="spatialDims">2 or 3.</param>
        /// <param name="inChannels">Input channels.</param>
        /// <param name="outChannels">Output channels.</param>
        public SingleDeconvBlock(int spatialDims, long inChannels, long outChannels)
            : base(nameof(SingleDeconvBlock))
        {
            block = Layers.ConvTranspose(spatialDims, inChannels, outChannels, kernel: 2, stride: 2, bias: true);
            RegisterComponents();
        }

        /// <inheritdoc/>
        public GraphValue Export(GraphBuilder graph, GraphValue input) => graph.Apply(block, input);

        /// <inheritdoc/>
        public override Tensor forward(Tensor input) => block.call(input);
    }
}
