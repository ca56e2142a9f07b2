using static TorchSharp.torch;

namespace Unetr.Model.Blocks
{
    /// <summary>
    /// A convolution block whose own route (padding, depth slabs, oneDNN) can run with another weight and bias of the
    /// same shapes: what <see cref="Seed.BatchNormFold"/> needs to convolve with a BatchNorm folded in.
    /// </summary>
    internal interface IFoldableConvolution
    {
        /// <summary>The block's <c>weight</c> parameter, <c>[out, in, k…]</c>.</summary>
        Tensor Weight { get; }

        /// <summary>The block's <c>bias</c> parameter, or <c>null</c>.</summary>
        Tensor? Bias { get; }

        /// <summary>The block's convolution of <paramref name="input"/> with <paramref name="kernel"/> and <paramref name="kernelBias"/> in place of its parameters.</summary>
        Tensor Convolve(Tensor input, Tensor kernel, Tensor? kernelBias);
    }
}
