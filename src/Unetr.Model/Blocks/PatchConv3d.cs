using System.Linq;
using System;
using TorchSharp.Modules;
using Unetr.Model.Export;
using Unetr.Model.Runtime;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks
{
    /// <summary>
    /// A 3D convolution whose stride equals its kernel (a patch embedding), computed on CPU as one matrix product of the
    /// cut-out patches and the flattened kernel. Parameters, their shapes, names (<c>weight</c>, <c>bias</c>) and
    /// initialisation are <c>nn.Conv3d</c>'s; only the route differs.
    /// </summary>
    /// <remarks>
    /// libtorch gives this convolution to oneDNN (the kernel is above 3), whose kernels for a few input channels and a
    /// 16-voxel stride are slow, forward and above all backward (4 → 768 channels with 16³ patches of the seed preset's
    /// 128³ volume, and 4 → 192 at 64³; docs/speed-notes.md has the timings). Cut into a <c>[patches, channels · 16³]</c> matrix (one copy of the input),
    /// the same sums are one product, which <see cref="OneDnnLinear.Apply"/> computes. The patch axis order follows the
    /// weight's memory layout, so a channels-last weight (<see cref="ChannelsLast.Convert"/>) is used without a copy.
    /// Volumes that the kernel does not divide, and inputs off the CPU, take <c>nn.functional.conv3d</c> (with the weight
    /// <see cref="OneDnnWeights"/> gives, since that call goes to oneDNN).
    /// </remarks>
    public sealed class PatchConv3d : nn.Module<Tensor, Tensor>, IGraphBlock
    {
        private readonly Parameter weight;
        private readonly Parameter? bias;
        private readonly long _patch;
        private readonly long[] _strides;

        /// <summary>Creates the convolution, initialised exactly as <c>nn.Conv3d</c> with the same arguments (and the same draws).</summary>
        /// <param name="inChannels">Input channels.</param>
        /// <param name="outChannels">Output channels.</param>
        /// <param name="patch">Kernel size and stride along every axis.</param>
        /// <param name="hasBias">Whether the layer has a <c>bias</c> parameter.</param>
        public PatchConv3d(long inChannels, long outChannels, long patch, bool hasBias)
            : base(nameof(PatchConv3d))
        {
            using (var template = nn.Conv3d(inChannels, outChannels, patch, stride: patch, padding: 0L, bias: hasBias))
            {
                (weight, bias) = TemplateParameters.Copy(template.weight!, template.bias);
            }

            _patch = patch;
            _strides = new[] { patch, patch, patch };
            RegisterComponents();
        }

        /// <summary>Whether an input of this shape is computed as a product of patches rather than by libtorch's convolution.</summary>
        /// <param name="inputShape"><c>[N, C, D, H, W]</c>.</param>
        /// <param name="onCpu">Whether the input is on the CPU.</param>
        /// <returns>What <see cref="CpuRoutingPolicy.PatchUsesProduct"/> of <see cref="CpuRoutingPolicy.Current"/> says: by default, when the input is batched, on the CPU, and every spatial size is a multiple of the patch.</returns>
        public bool UsesProduct(long[] inputShape, bool onCpu) => CpuRoutingPolicy.Current.PatchUsesProduct(inputShape, _patch, onCpu);

        /// <inheritdoc/>
        public GraphValue Export(GraphBuilder graph, GraphValue input) => graph.Conv(input, weight, bias, _patch, padding: 0);

        /// <inheritdoc/>
        public override Tensor forward(Tensor input)
        {
            if (!UsesProduct(input.shape, input.device_type == TorchSharp.DeviceType.CPU))
            {
                return nn.functional.conv3d(input, OneDnnWeights.For(weight, input), bias, strides: _strides);
            }

            long batch = input.shape[0], channels = input.shape[1], p = _patch, outChannels = weight.shape[0];
            long depth = input.shape[2] / p, height = input.shape[3] / p, width = input.shape[4] / p;
            var cells = input.view(batch, channels, depth, p, height, p, width, p);

            // Row-major weight [O, C, p, p, p]: patches flattened as (c, kd, kh, kw). Channels-last [O, p, p, p, C] in
            // memory: as (kd, kh, kw, c). Either way the flattened weight is a view.
            var channelsLast = ChannelsLast.Is(weight);
            var patches = (channelsLast ? cells.permute(0, 2, 4, 6, 3, 5, 7, 1) : cells.permute(0, 2, 4, 6, 1, 3, 5, 7))
                .reshape(batch * depth * height * width, -1);
            var kernel = (channelsLast ? weight.permute(0, 2, 3, 4, 1) : (Tensor)weight).reshape(outChannels, -1);
            var product = OneDnnLinear.Apply(patches, kernel, bias);

            // [N·D'·H'·W', O] → [N, O, D', H', W'] as a view (channels-last strides).
            return product.view(batch, depth, height, width, outChannels).permute(0, 4, 1, 2, 3);
        }
    }
}
