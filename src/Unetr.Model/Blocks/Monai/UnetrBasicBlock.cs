using Unetr.Dsl;
using Unetr.Model.Export;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks.Monai
{
    /// <summary>
    /// MONAI's <c>UnetrBasicBlock</c> (UNETR's <c>encoder1</c>): a child <c>layer</c> that is a
    /// <see cref="UnetResBlock"/> or a <see cref="UnetBasicBlock"/>. Keeps the spatial size.
    /// </summary>
    public sealed class UnetrBasicBlock : nn.Module<Tensor, Tensor>, IGraphBlock
    {
        private readonly nn.Module<Tensor, Tensor> layer;

        /// <summary>Creates the block.</summary>
        /// <param name="spatialDims">2 or 3.</param>
        /// <param name="inChannels">Input channels.</param>
        /// <param name="outChannels">Output channels.</param>
        /// <param name="norm">Normalisation after each conv.</param>
        /// <param name="residual">A residual block (MONAI <c>res_block=True</c>) or a plain one.</param>
        public UnetrBasicBlock(int spatialDims, long inChannels, long outChannels, NormKind norm, bool residual)
            : base(nameof(UnetrBasicBlock))
        {
            layer = UnetConvBlocks.Create(spatialDims, inChannels, outChannels, norm, residual);
            RegisterComponents();
        }

        /// <inheritdoc/>
        public GraphValue Export(GraphBuilder graph, GraphValue input) => graph.Apply(layer, input);

        /// <inheritdoc/>
        public override Tensor forward(Tensor input) => layer.call(input);
    }
}
