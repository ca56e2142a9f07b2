using TorchSharp.Modules;
using Unetr.Dsl;
using Unetr.Model.Export;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks.Seed
{
    /// <summary>
    /// Seed layout upsampling block: child <c>block</c> = Sequential(<see cref="SingleDeconvBlock"/>,
    /// <see cref="SingleConvBlock"/>, BatchNorm, ReLU). Doubles every spatial axis.
    /// </summary>
    public sealed class DeconvBlock : nn.Module<Tensor, Tensor>, IGraphBlock
    {
        private readonly Sequential block;

        /// <summary>Creates the block.</summary>
        /// <param name="spatialDims">2 or 3.</param>
        /// <param name="inChannels">Input channels.</param>
        /// <param name="outChannels">Output channels.</param>
        /// <param name="kernel">Odd kernel size of the convolution after the upsampling.</param>
        public DeconvBlock(int spatialDims, long inChannels, long outChannels, long kernel = 3)
            : base(nameof(DeconvBlock))
        {
            block = nn.Sequential(
                new SingleDeconvBlock(spatialDims, inChannels, outChannels),
                new SingleConvBlock(spatialDims, outChannels, outChannels, kernel),
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
