using System;
using TorchSharp;
using Unetr.Dsl;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks
{
    /// <summary>
    /// Dimension-generic factories for the PyTorch layers both layouts use, so a block is written once
    /// for 2D and 3D images.
    /// </summary>
    public static class Layers
    {
        /// <summary>Creates a 2D or 3D convolution with a cubic kernel: <see cref="OneDnnConv3d"/> at stride 1 in 3D, <see cref="PatchConv3d"/> when the stride is the kernel in 3D, else <see cref="OneDnnConv"/> (<c>Conv2d</c> or <c>Conv3d</c>).</summary>
        /// <param name="spatialDims">2 or 3.</param>
        /// <param name="inChannels">Input channels.</param>
        /// <param name="outChannels">Output channels.</param>
        /// <param name="kernel">Kernel size along every axis.</param>
        /// <param name="stride">Stride along every axis.</param>
        /// <param name="padding">Zero padding along every axis.</param>
        /// <param name="bias">Whether the layer has a <c>bias</c> parameter.</param>
        /// <returns>
        /// The convolution; its parameters are <c>weight</c> and, if <paramref name="bias"/>, <c>bias</c>. A 3D
        /// convolution at stride 1 is a <see cref="OneDnnConv3d"/>, which keeps small volumes on oneDNN on CPU. Every
        /// one takes its weight through <see cref="OneDnnWeights"/>, so that input gradients are right on CPUs without
        /// AVX-512.
        /// </returns>
        public static nn.Module<Tensor, Tensor> Conv(
            int spatialDims, long inChannels, long outChannels, long kernel, long stride, long padding, bool bias) =>
            CheckSpatialDims(spatialDims) switch
            {
                3 when stride == 1 => new OneDnnConv3d(inChannels, outChannels, kernel, padding, bias),
                3 when stride == kernel && padding == 0 => new PatchConv3d(inChannels, outChannels, kernel, bias),
                var dims => new OneDnnConv(dims, inChannels, outChannels, kernel, stride, padding, bias),
            };

        /// <summary>
        /// Creates a transposed convolution (<see cref="OneDnnConvTranspose"/>: <c>ConvTranspose2d</c> or
        /// <c>ConvTranspose3d</c>) with kernel = stride, no padding and no output padding, so every axis grows by
        /// exactly <paramref name="stride"/>.
        /// </summary>
        /// <param name="spatialDims">2 or 3.</param>
        /// <param name="inChannels">Input channels.</param>
        /// <param name="outChannels">Output channels.</param>
        /// <param name="kernel">Kernel size along every axis.</param>
        /// <param name="stride">Stride along every axis.</param>
        /// <param name="bias">Whether the layer has a <c>bias</c> parameter.</param>
        /// <returns>The transposed convolution.</returns>
        public static nn.Module<Tensor, Tensor> ConvTranspose(
            int spatialDims, long inChannels, long outChannels, long kernel, long stride, bool bias) =>
            new OneDnnConvTranspose(CheckSpatialDims(spatialDims), inChannels, outChannels, kernel, stride, bias);

        /// <summary>Creates the decoder normalisation layer.</summary>
        /// <param name="kind">
        /// <see cref="NormKind.Batch"/>: affine BatchNorm with running statistics (eps 1e-5, momentum 0.1);
        /// state keys <c>weight</c>, <c>bias</c>, <c>running_mean</c>, <c>running_var</c>, <c>num_batches_tracked</c>.
        /// <see cref="NormKind.Instance"/>: InstanceNorm without affine parameters or running statistics
        /// (<see cref="InstanceNorm"/>, computed as a group norm); no state keys at all.
        /// </param>
        /// <param name="spatialDims">2 or 3.</param>
        /// <param name="channels">Number of channels normalised.</param>
        /// <returns>The normalisation layer.</returns>
        public static nn.Module<Tensor, Tensor> Norm(NormKind kind, int spatialDims, long channels) =>
            (kind, CheckSpatialDims(spatialDims)) switch
            {
                (NormKind.Batch, 2) => nn.BatchNorm2d(channels, eps: 1e-5, momentum: 0.1, affine: true, track_running_stats: true),
                (NormKind.Batch, _) => nn.BatchNorm3d(channels, eps: 1e-5, momentum: 0.1, affine: true, track_running_stats: true),
                (NormKind.Instance, _) => new InstanceNorm(channels, eps: 1e-5),
                _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Expected Batch or Instance."),
            };

        /// <summary>Creates the activation between the two Linear layers of a transformer MLP.</summary>
        /// <param name="activation">ReLU, or GELU in its exact (erf) form.</param>
        /// <returns>A module without parameters.</returns>
        public static nn.Module<Tensor, Tensor> Activation(MlpActivation activation) => activation switch
        {
            MlpActivation.Gelu => nn.GELU(),
            MlpActivation.Relu => nn.ReLU(),
            _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Expected Gelu or Relu."),
        };

        internal static int CheckSpatialDims(int spatialDims) =>
            spatialDims is 2 or 3
                ? spatialDims
                : throw new ArgumentOutOfRangeException(nameof(spatialDims), spatialDims, "Expected 2 or 3 spatial dimensions.");
    }
}
