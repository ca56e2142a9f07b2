using System.Linq;
using Unetr.Model.Runtime;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks
{
    /// <summary>
    /// The weight to hand libtorch's CPU convolution or transposed convolution so that oneDNN computes a correct input
    /// gradient.
    /// </summary>
    /// <remarks>
    /// On a CPU without AVX-512 (the AVX2 AMD EPYC of docs/speed-notes.md), oneDNN as shipped in libtorch 2.10 returns
    /// wrong input gradients (large errors, sometimes NaN, varying with the thread count) for a 3D or 2D convolution
    /// whose input and weight are both row-major, whose kernel is above 1 and whose output channels are not a multiple
    /// of 16 (8 and 24 failed; 16, 32, 48 and 64 did not): libtorch's batch-2 and large-volume routes, the depth slabs
    /// of <see cref="OneDnnConv3d"/> and a 4 × 4 × 4 patch convolution alike. A transposed convolution (2D or 3D,
    /// kernel = stride = 2) fails the same way when its output channels are 24 or 40, at any input channels (4 to 48);
    /// 4, 8, 12, 16, 32 and 48 output channels were right. In both cases the count is that of the output, the gradient
    /// the backward-data kernel reads: <c>weight.shape[0]</c> for a convolution (<c>[out, in, k…]</c>),
    /// <c>weight.shape[1]</c> for a transposed one (<c>[in, out, k…]</c>). One rule, "not a multiple of 16", covers both;
    /// for transposed convolutions it also takes 4, 8 and 12 channels, which did not need it, at the cost of a copy.
    /// Outputs and weight gradients are right. With either tensor channels-last, libtorch gives oneDNN a channels-last
    /// problem, whose kernel is right on both machines; a channels-last copy of the weight is the cheaper of the two.
    /// The AVX-512 machine of the earlier sessions took another kernel and did not show the fault. Only a pass that will
    /// compute the input's gradient takes the copy, so inference and a network's first layer keep their layout. This is
    /// a correctness fix, not a route choice: <see cref="CpuRoutingPolicy.Plain"/> keeps it.
    /// </remarks>
    internal static class OneDnnWeights
    {
        /// <summary>
        /// <paramref name="weight"/> (<c>[out, in, k…]</c>) itself, or a channels-last copy of it (gradients flow back to
        /// it) when a row-major <paramref name="input"/> on the CPU that needs its gradient would otherwise meet the
        /// faulty kernel.
        /// </summary>
        public static Tensor For(Tensor weight, Tensor input) =>
            NeedsChannelsLast(weight, outputChannels: weight.shape[0], input) ? ChannelsLast.Of(weight) : weight;

        /// <summary>
        /// The same for a transposed convolution, whose weight is <c>[in, out, k…]</c>: <paramref name="weight"/> itself,
        /// or a channels-last copy of it.
        /// </summary>
        public static Tensor ForTransposed(Tensor weight, Tensor input) =>
            NeedsChannelsLast(weight, outputChannels: weight.shape[1], input) ? ChannelsLast.Of(weight) : weight;

        private static bool NeedsChannelsLast(Tensor weight, long outputChannels, Tensor input) =>
            input.device_type == TorchSharp.DeviceType.CPU
            && input.requires_grad
            && is_grad_enabled()
            && outputChannels % 16 != 0
            && weight.shape.Skip(2).Any(size => size > 1)
            && !ChannelsLast.Is(weight)
            && !ChannelsLast.Is(input);
    }
}
