using Unetr.Dsl;
using Unetr.Model.Export;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks.Monai
{
    /// <summary>
    /// MONAI's <c>UnetrUpBlock</c> (UNETR's <c>decoder5..2</c>): <c>conv_block(cat([transp_conv(x), skip], 1))</c>,
    /// where <c>transp_conv</c> doubles every spatial axis and <c>conv_block</c> maps 2·out → out channels.
    /// </summary>
    public sealed class UnetrUpBlock : nn.Module<Tensor, Tensor, Tensor>, IGraphSkipBlock
    {
        private readonly ConvOnly transp_conv;
        private readonly nn.Module<Tensor, Tensor> conv_block;

        /// <summary>Creates the block.</summary>
        /// <param name="spatialDims">2 or 3.</param>
        /// <param name="inChannels">Channels of the deeper input.</param>
        /// <param name="outChannels">Output channels, and the channels of the skip.</param>
        /// <param name="norm">Normalisation in the conv block.</param>
        /// <param name="residual">A residual conv block (MONAI <c>res_block=True</c>) or a plain one.</param>
        public UnetrUpBlock(int spatialDims, long inChannels, long outChannels, NormKind norm, bool residual)
            : base(nameof(UnetrUpBlock))
        {
            transp_conv = new ConvOnly(spatialDims, inChannels, outChannels, kernel: 2, stride: 2, transposed: true, bias: false);
            conv_block = UnetConvBlocks.Create(spatialDims, 2 * outChannels, outChannels, norm, residual);
            RegisterComponents();
        }

        /// <inheritdoc/>
        public GraphValue Export(GraphBuilder graph, GraphValue input, GraphValue skip) =>
            graph.Apply(conv_block, graph.Concat(1, graph.Apply(transp_conv, input), skip));

        /// <summary>Upsamples <paramref name="input"/>, appends <paramref name="skip"/> as channels, then convolves.</summary>
        /// <param name="input">The deeper features <c>[B, in, *s]</c>.</param>
        /// <param name="skip">The skip features <c>[B, out, *2s]</c>.</param>
        /// <returns><c>[B, out, *2s]</c>.</returns>
        public override Tensor forward(Tensor input, Tensor skip)
        {
            var upsampled = transp_conv.call(input);
            var joined = Intermediate.Release(upsampled, cat([upsampled, skip], 1));
            return Intermediate.Release(joined, conv_block.call(joined));
        }
    }
}
