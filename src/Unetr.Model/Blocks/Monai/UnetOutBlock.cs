using Unetr.Model.Export;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks.Monai
{
    /// <summary>
    /// MONAI's <c>UnetOutBlock</c> (UNETR's <c>out</c>): a 1×1 convolution with bias to the class channels;
    /// keys <c>conv.conv.weight</c> and <c>conv.conv.bias</c>.
    /// </summary>
    public sealed class UnetOutBlock : nn.Module<Tensor, Tensor>, IGraphBlock
    {
        private readonly ConvOnly conv;

        /// <summary>Creates the block.</summary>
        /// <param name="spatialDims">2 or 3.</param>
        /// <param name="inChannels">Input channels.</param>
        /// <param name="outChannels">Output channels (classes).</param>
        public UnetOutBlock(int spatialDims, long inChannels, long outChannels)
            : base(nameof(UnetOutBlock))
        {
            conv = new ConvOnly(spatialDims, inChannels, outChannels, kernel: 1, stride: 1, transposed: false, bias: true);
            RegisterComponents();
        }

        /// <inheritdoc/>
        public GraphValue Export(GraphBuilder graph, GraphValue input) => graph.Apply(conv, input);

        /// <inheritdoc/>
        public override Tensor forward(Tensor input) => conv.call(input);
    }
}
