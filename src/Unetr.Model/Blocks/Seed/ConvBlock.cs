using TorchSharp.Modules;
using Unetr.Dsl;
using Unetr.Model.Export;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks.Seed
{
    /// <summary>
    /// Seed layout conv-BN-ReLU: child <c>block</c> = Sequential(<see cref="SingleConvBlock"/>, BatchNorm, ReLU),
    /// keys <c>block.0.block.*</c> and <c>block.1.*</c>. Keeps the spatial size. In evaluation mode without gradients it
    /// computes one convolution with the BatchNorm folded in (<see cref="BatchNormFold"/>).
    /// </summary>
    public sealed class ConvBlock : nn.Module<Tensor, Tensor>, IGraphBlock
    {
        private readonly Sequential block;
        private readonly BatchNormFold fold;

        /// <summary>Creates the block.</summary>
        /// <param name="spatialDims">2 or 3.</param>
        /// <param name="inChannels">Input channels.</param>
        /// <param name="outChannels">Output channels.</param>
        /// <param name="kernel">Odd kernel size of the convolution.</param>
        public ConvBlock(int spatialDims, long inChannels, long outChannels, long kernel = 3)
            : base(nameof(ConvBlock))
        {
            var convolution = new SingleConvBlock(spatialDims, inChannels, outChannels, kernel);
            var norm = (BatchNorm)Layers.Norm(NormKind.Batch, spatialDims, outChannels);
            block = nn.Sequential(convolution, norm, nn.ReLU(inplace: true));
            fold = new BatchNormFold(convolution.Convolution, norm);
            RegisterComponents();
        }

        /// <inheritdoc/>
        public GraphValue Export(GraphBuilder graph, GraphValue input) => graph.Apply(block, input);

        /// <inheritdoc/>
        public override Tensor forward(Tensor input) =>
            fold.Forward(training, () => fold.ConvolveNormalizeRelu(input), () => block.call(input));

        /// <inheritdoc/>
        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                fold.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
