using System.Linq;
using System;
using TorchSharp.Modules;
using Unetr.Dsl;
using Unetr.Model.Export;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks.Monai
{
    /// <summary>
    /// MONAI's <c>UnetrPrUpBlock</c> (UNETR's <c>encoder2..4</c>): <c>transp_conv_init</c> (×2 upsampling),
    /// then <c>blocks</c>, a list of (×2 transposed conv, conv block) pairs; keys
    /// <c>blocks.{i}.0.conv.weight</c> and <c>blocks.{i}.1.conv1.conv.weight</c>. Scales every spatial axis
    /// by 2^(1 + extraUpsamples).
    /// </summary>
    public sealed class UnetrPrUpBlock : nn.Module<Tensor, Tensor>, IGraphBlock
    {
        private readonly ConvOnly transp_conv_init;
        private readonly ModuleList<Sequential> blocks;

        /// <summary>Creates the block.</summary>
        /// <param name="spatialDims">2 or 3.</param>
        /// <param name="inChannels">Input channels (the transformer width).</param>
        /// <param name="outChannels">Output channels of every stage.</param>
        /// <param name="extraUpsamples">Number of (transposed conv, conv block) pairs after the first upsampling.</param>
        /// <param name="norm">Normalisation in the conv blocks.</param>
        /// <param name="residual">Residual conv blocks (MONAI <c>res_block=True</c>) or plain ones.</param>
        public UnetrPrUpBlock(int spatialDims, long inChannels, long outChannels, int extraUpsamples, NormKind norm, bool residual)
            : base(nameof(UnetrPrUpBlock))
        {
            ArgumentOutOfRangeException.ThrowIfNegative(extraUpsamples);
            transp_conv_init = new ConvOnly(spatialDims, inChannels, outChannels, kernel: 2, stride: 2, transposed: true, bias: false);
            blocks = nn.ModuleList(Enumerable.Range(0, extraUpsamples)
                .Select(_ => nn.Sequential(
                    new ConvOnly(spatialDims, outChannels, outChannels, kernel: 2, stride: 2, transposed: true, bias: false),
                    UnetConvBlocks.Create(spatialDims, outChannels, outChannels, norm, residual)))
                .ToArray());
            RegisterComponents();
        }

        /// <inheritdoc/>
        public GraphValue Export(GraphBuilder graph, GraphValue input) =>
            blocks.Aggregate(graph.Apply(transp_conv_init, input), (hidden, stage) => graph.Apply(stage, hidden));

        /// <inheritdoc/>
        public override Tensor forward(Tensor input)
        {
            var hidden = transp_conv_init.call(input);
            foreach (var stage in blocks)
            {
                hidden = stage.call(hidden);
            }

            return hidden;
        }
    }
}
