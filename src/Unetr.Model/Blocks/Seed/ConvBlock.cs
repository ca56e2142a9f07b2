using TorchSharp.Modules;
using Unetr.Dsl;
using Unetr.Model.Export;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks.Seed
{
    /// <summary>
    /// Seed layout conv-BN-ReLU: child <c>block</c> = Sequential(<see cref="SingleConvBlock"/>, BatchNorm, ReLU),
    /// keys <c>block.0.block.*</c> and <c>block.1.*</c>. Keeps the spatial size.
    /// </summary>
    public sealed class ConvBlock : nn.Module<Tensor, Tensor>, IGraphBlock
    {
        private readonly Sequential block;

        /// <summary>Creates the block.</summary>
        /// <param name="spatialDims">2 or 3.</param>
        /// <param name="inChannels">Input channels.</param>
        /// <param name="outChannels">Output channels.</param>
        /// <param name="kernel">Odd kernel size of the convolution.</param>
        public ConvBlock(int spatialDims, long inChannels, long outChannels, long kernel = 3)
            : base(nameof(ConvBlock))
        {
            block = nn.Sequential(
                new SingleConvBlock(spatialDims, inChannels, outChannels, kernel),
                Layers.Norm(NormKind.Batch, spatialDims, outChannels),
                nn.ReLU(inplace: true));
            RegisterComponents();
        }

        /// <inheritdoc/>
        public GraphValue Export(GraphBuilder graph, GraphValue input) => graph.Apply(block, input);

        /// <inheritdoc/>
        public override Tensor forward(Tensor input) => block.call(input);
    }
}
