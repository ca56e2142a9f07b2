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
    /// <para>
    /// On the AMD EPYC of 2026-12-03 (CPU family 26, i.e. Zen 5, with AVX-512 and AVX-512-BF16; docs/speed-notes.md,
    /// sixth session), oneDNN as shipped in libtorch 2.10 returns
    /// wrong input gradients (large errors, sometimes NaN, varying with the thread count) for a 3D or 2D convolution
    /// whose input and weight are both row-major, whose kernel is above 1 and whose output channels are not a multiple
    /// of 16 (4, 8, 24 and 40 failed; 16, 32, 48 and 64 did not): libtorch's batch-2 and large-volume routes, the depth
    /// slabs of <see cref="OneDnnConv3d"/> and a 4 × 4 × 4 patch convolution alike. Their outputs and weight gradients
    /// are right. With either tensor channels-last, libtorch gives oneDNN a channels-last problem, whose kernel is right
    /// on both machines; a channels-last copy of the weight is the cheaper of the two. The AMD EPYC of the earlier sessions
    /// (also AVX-512) did not show the fault. For a convolution, only a pass that will compute the
    /// input's gradient takes the copy (<see cref="For"/>), so inference and a network's first layer keep their layout.
    /// </para>
    /// <para>
    /// A transposed convolution (2D or 3D, kernel = stride = 2, batch 2, any input channels from 4 to 64) is worse: its
    /// input gradient is wrong for 24 and 40 output channels, and its output itself for 40 and 48 output channels at
    /// some volumes (3D 6³, 2D 16²), in inference too; 4, 8, 12, 16, 32, 64, 96 and 128 output channels were right.
    /// With a channels-last weight every case was right. So <see cref="ForTransposed"/> takes the copy for every CPU
    /// call with a kernel above 1, with or without a gradient to compute, rather than follow a channel rule that the
    /// shapes probed could not pin down.
    /// </para>
    /// <para>Both are correctness fixes, not route choices: <see cref="CpuRoutingPolicy.Plain"/> keeps them.</para>
    /// </remarks>
    internal static class OneDnnWeights
    {
        /// <summary>
        /// <paramref name="weight"/> (<c>[out, in, k…]</c>) itself, or a channels-last copy of it (gradients flow back to
        /// it) when a row-major <paramref name="input"/> on the CPU that needs its gradient would otherwise meet the
        /// faulty kernel.
        /// </summary>
        public static Tensor For(Tensor weight, Tensor input) =>
            NeedsChannelsLast(weight, input) ? ChannelsLast.Of(weight) : weight;

        /// <summary>
        /// For a transposed convolution (weight <c>[in, out, k…]</c>): a channels-last copy of <paramref name="weight"/>
        /// (gradients flow back to it) for every <paramref name="input"/> on the CPU when the kernel is above 1, else
        /// <paramref name="weight"/> itself (also when it already is channels-last).
        /// </summary>
        public static Tensor ForTransposed(Tensor weight, Tensor input) =>
            input.device_type == TorchSharp.DeviceType.CPU && HasSpatialKernel(weight) ? ChannelsLast.Of(weight) : weight;

        private static bool NeedsChannelsLast(Tensor weight, Tensor input) =>
            input.device_type == TorchSharp.DeviceType.CPU
            && input.requires_grad
            && is_grad_enabled()
            && weight.shape[0] % 16 != 0
            && HasSpatialKernel(weight)
            && !ChannelsLast.Is(weight)
            && !ChannelsLast.Is(input);

        private static bool HasSpatialKernel(Tensor weight) => weight.shape.Skip(2).Any(size => size > 1);
    }
}
