using TorchSharp.Modules;
using Unetr.Dsl;
using Unetr.Model.Export;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks.Seed
{
    /// <summary>
    /// Seed layout upsampling block: child <c>block</c> = Sequential(<see cref="SingleDeconvBlock"/>,
    /// <see cref="SingleConvBlock"/>, BatchNorm, ReLU). Doubles every spatial axis. In evaluation mode without gradients
    /// the convolution has the BatchNorm folded in (<see cref="BatchNormFold"/>).
    /// </summary>
    public sealed class DeconvBlock : nn.Module<Tensor, Tensor>, IGraphBlock
    {
        private readonly Sequential block;
        private readonly BatchNormFold fold;

        /// <summary>Creates the block.</summary>
        /// <param name="spatialDims">2 or 3.</param>
        /// <param name="inChannels">Input channels.</param>
        /// <param name="outChannels">Output channels.</param>
        /// <param name="kernel">Odd kernel size of the convolution after the upsampling.</param>
        public DeconvBlock(int spatialDims, long inChannels, long outChannels, long kernel = 3)
            : base(nameof(DeconvBlock))
        {
            var convolution = new SingleConvBlock(spatialDims, outChannels, outChannels, kernel);
            var norm = (BatchNorm)Layers.Norm(NormKind.Batch, spatialDims, outChannels);
            block = nn.Sequential(new SingleDeconvBlock(spatialDims, inChannels, outChannels), convolution, norm, nn.ReLU(inplace: true));
            fold = new BatchNormFold(convolution.Convolution, norm);
            RegisterComponents();
        }

        /// <inheritdoc/>
        public GraphValue Export(GraphBuilder graph, GraphValue input) => graph.Apply(block, input);

        /// <inheritdoc/>
        public override Tensor forward(Tensor input) =>
            fold.Forward(training, () => fold.ConvolveNormalizeRelu(((nn.Module<Tensor, Tensor>)block[0]).call(input)), () => block.call(input));

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
