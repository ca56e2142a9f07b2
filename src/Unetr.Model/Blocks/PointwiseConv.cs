using System;
using System.Linq;
using TorchSharp.Modules;
using Unetr.Model.Runtime;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks
{
    /// <summary>
    /// A 1×1(×1) convolution at stride 1 computed as one matrix product of the weight <c>[out, in]</c> with the
    /// input's voxels: the same sums as the convolution, without its kernel machinery. libtorch's CPU convolution of
    /// this shape was up to 25 times slower: the MONAI output convolution (8 → 14 channels at 96³) took about 110 ms
    /// against 4 ms as a product (docs/speed-notes.md). Parameters, their shapes, names (<c>weight</c>, <c>bias</c>) and
    /// initialisation are those of <c>nn.Conv2d</c> / <c>nn.Conv3d</c> with kernel 1.
    /// </summary>
    public sealed class PointwiseConv : nn.Module<Tensor, Tensor>
    {
        private readonly Parameter weight;
        private readonly Parameter? bias;
        private readonly long _inChannels;
        private readonly long _outChannels;

        /// <summary>Creates the convolution, initialised exactly as <c>nn.Conv2d</c>/<c>nn.Conv3d</c> with kernel 1 (and the same draws).</summary>
        /// <param name="spatialDims">2 or 3.</param>
        /// <param name="inChannels">Input channels.</param>
        /// <param name="outChannels">Output channels.</param>
        /// <param name="hasBias">Whether the layer has a <c>bias</c> parameter.</param>
        public PointwiseConv(int spatialDims, long inChannels, long outChannels, bool hasBias)
            : base(nameof(PointwiseConv))
        {
            using (var template = spatialDims switch
            {
                2 => (nn.Module)nn.Conv2d(inChannels, outChannels, 1, bias: hasBias),
                3 => nn.Conv3d(inChannels, outChannels, 1, bias: hasBias),
                _ => throw new ArgumentOutOfRangeException(nameof(spatialDims), spatialDims, "Expected 2 or 3 spatial dimensions."),
            })
            {
                var parameters = template.named_parameters().ToDictionary(p => p.name, p => p.parameter);
                weight = new Parameter(parameters["weight"].detach().clone());
                bias = hasBias ? new Parameter(parameters["bias"].detach().clone()) : null;
            }

            _inChannels = inChannels;
            _outChannels = outChannels;
            RegisterComponents();
        }

        /// <inheritdoc/>
        public override Tensor forward(Tensor input)
        {
            var shape = input.shape;
            if (shape.Length < 3 || shape[1] != _inChannels)
            {
                throw new ArgumentException($"Expected input [batch, {_inChannels}, spatial…]; got [{string.Join(", ", shape)}].", nameof(input));
            }

            var outShape = (long[])shape.Clone();
            outShape[1] = _outChannels;
            var kernel = weight.view(_outChannels, _inChannels);
            if (ChannelsLast.Is(input))
            {
                // Voxels × channels is this layout's natural matrix; the result stays channels-last.
                var rank = shape.Length;
                var toLast = new long[] { 0 }.Concat(Enumerable.Range(2, rank - 2).Select(d => (long)d)).Append(1).ToArray();
                var back = new long[] { 0, rank - 1 }.Concat(Enumerable.Range(1, rank - 2).Select(d => (long)d)).ToArray();
                var product = input.permute(toLast).matmul(kernel.t());
                if (bias is not null)
                {
                    product = product.add_(bias);
                }

                return product.permute(back);
            }

            // [out, in] × [batch, in, voxels] → [batch, out, voxels].
            var result = kernel.matmul(input.reshape(shape[0], _inChannels, -1));
            if (bias is not null)
            {
                result = result.add_(bias.view(1, _outChannels, 1));
            }

            return result.view(outShape);
        }
    }
}
