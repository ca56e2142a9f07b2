using Unetr.Dsl;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks.Monai
{
    /// <summary>Picks MONAI's residual or plain two-conv block, as UNETR's <c>res_block</c> flag does.</summary>
    internal static class UnetConvBlocks
    {
        public static nn.Module<Tensor, Tensor> Create(int spatialDims, long inChannels, long outChannels, NormKind norm, bool residual) =>
            residual
                ? new UnetResBlock(spatialDims, inChannels, outChannels, norm)
                : new UnetBasicBlock(spatialDims, inChannels, outChannels, norm);
    }
}
