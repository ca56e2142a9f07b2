using System;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks
{
    /// <summary>
    /// A 3D convolution with 2 to 7 input channels (a multi-modal image, say) that, on CPU, zero-pads its input and
    /// weight to 8 input channels before convolving. libtorch's oneDNN kernels work on channels in blocks of 8 or 16
    /// and take a far slower path for fewer: a 3×3×3 convolution of 4 → 8 channels at 64³ ran about four times faster
    /// padded (docs/speed-notes.md). The zero channels add exact zeros, so the result is the convolution's own.
    /// Parameters, their shapes, names (<c>weight</c>, <c>bias</c>) and initialisation are <c>nn.Conv3d</c>'s.
    /// </summary>
    public sealed class ChannelPaddedConv3d : nn.Module<Tensor, Tensor>
    {
        /// <summary>Input channels the kernels are padded to.</summary>
        public const long PaddedChannels = 8;

        private readonly Parameter weight;
        private readonly Parameter? bias;
        private readonly long[] _stride;
        private readonly long[] _padding;
        private readonly long[] _channelPad;

        /// <summary>Creates the convolution, initialised exactly as <c>nn.Conv3d</c> with the same arguments (and the same draws).</summary>
        /// <param name="inChannels">Input channels, 2 to 7.</param>
        /// <param name="outChannels">Output channels.</param>
        /// <param name="kernel">Kernel size along every axis.</param>
        /// <param name="stride">Stride along every axis.</param>
        /// <param name="padding">Zero padding along every axis.</param>
        /// <param name="hasBias">Whether the layer has a <c>bias</c> parameter.</param>
        public ChannelPaddedConv3d(long inChannels, long outChannels, long kernel, long stride, long padding, bool hasBias)
            : base(nameof(ChannelPaddedConv3d))
        {
            if (!Applies(inChannels))
            {
                throw new ArgumentOutOfRangeException(nameof(inChannels), inChannels, $"Expected 2 to {PaddedChannels - 1} input channels.");
            }

            using (var template = nn.Conv3d(inChannels, outChannels, kernel, stride, padding, bias: hasBias))
            {
                weight = new Parameter(template.weight!.detach().clone());
                bias = hasBias ? new Parameter(template.bias!.detach().clone()) : null;
            }

            _stride = new[] { stride, stride, stride };
            _padding = new[] { padding, padding, padding };

            // nn.functional.pad lists (before, after) pairs from the last axis back; the fifth pair is the channel axis.
            _channelPad = new long[] { 0, 0, 0, 0, 0, 0, 0, PaddedChannels - inChannels };
            RegisterComponents();
        }

        /// <summary>Whether a convolution with this many input channels is one this class speeds up.</summary>
        public static bool Applies(long inChannels) => inChannels is > 1 and < PaddedChannels;

        /// <inheritdoc/>
        public override Tensor forward(Tensor input)
        {
            if (input.device_type != TorchSharp.DeviceType.CPU)
            {
                return nn.functional.conv3d(input, weight, bias, _stride, _padding);
            }

            return nn.functional.conv3d(nn.functional.pad(input, _channelPad), nn.functional.pad(weight, _channelPad), bias, _stride, _padding);
        }
    }
}
