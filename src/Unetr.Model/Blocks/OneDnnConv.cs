using System.Collections.Generic;
using System.Linq;
using TorchSharp.Modules;
using Unetr.Model.Export;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks
{
    /// <summary>
    /// A 2D convolution, or a 3D one that neither <see cref="OneDnnConv3d"/> nor <see cref="PatchConv3d"/> takes (stride
    /// above 1 and unequal to the kernel), computed by libtorch's own convolution. Parameters, their shapes, names
    /// (<c>weight</c>, <c>bias</c>) and initialisation are <c>nn.Conv2d</c>'s or <c>nn.Conv3d</c>'s.
    /// </summary>
    /// <remarks>
    /// The only difference from <c>nn.Conv2d</c> / <c>nn.Conv3d</c>: the weight goes through <see cref="OneDnnWeights"/>,
    /// which steers oneDNN away from a kernel that computes wrong input gradients on some CPUs (docs/speed-notes.md, sixth session; 2D
    /// convolutions with 4 → 8, 8 → 8 and 16 → 24 channels at batch 2 were off by up to 3 against double precision).
    /// </remarks>
    public sealed class OneDnnConv : nn.Module<Tensor, Tensor>, IGraphBlock, IFoldableConvolution
    {
        private readonly Parameter weight;
        private readonly Parameter? bias;
        private readonly int _spatialDims;
        private readonly long[] _strides;
        private readonly long[] _padding;

        /// <summary>Creates the convolution, initialised exactly as <c>nn.Conv2d</c> or <c>nn.Conv3d</c> with the same arguments (and the same draws).</summary>
        /// <param name="spatialDims">2 or 3.</param>
        /// <param name="inChannels">Input channels.</param>
        /// <param name="outChannels">Output channels.</param>
        /// <param name="kernel">Kernel size along every axis.</param>
        /// <param name="stride">Stride along every axis.</param>
        /// <param name="padding">Zero padding along every axis.</param>
        /// <param name="hasBias">Whether the layer has a <c>bias</c> parameter.</param>
        public OneDnnConv(int spatialDims, long inChannels, long outChannels, long kernel, long stride, long padding, bool hasBias)
            : base(nameof(OneDnnConv))
        {
            _spatialDims = Layers.CheckSpatialDims(spatialDims);
            using (var template = spatialDims == 2
                ? (nn.Module)nn.Conv2d(inChannels, outChannels, kernel, stride, padding, bias: hasBias)
                : nn.Conv3d(inChannels, outChannels, kernel, stride, padding, bias: hasBias))
            {
                var parameters = template.named_parameters().ToDictionary(p => p.name, p => p.parameter);
                (weight, bias) = TemplateParameters.Copy(parameters["weight"], parameters.GetValueOrDefault("bias"));
            }

            _strides = Enumerable.Repeat(stride, spatialDims).ToArray();
            _padding = Enumerable.Repeat(padding, spatialDims).ToArray();
            RegisterComponents();
        }

        /// <inheritdoc/>
        public GraphValue Export(GraphBuilder graph, GraphValue input) => graph.Conv(input, weight, bias, _strides[0], _padding[0]);

        /// <inheritdoc/>
        public override Tensor forward(Tensor input) => Convolve(input, OneDnnWeights.For(weight, input), bias);

        Tensor IFoldableConvolution.Weight => weight;

        Tensor? IFoldableConvolution.Bias => bias;

        Tensor IFoldableConvolution.Convolve(Tensor input, Tensor kernel, Tensor? kernelBias) => Convolve(input, kernel, kernelBias);

        private Tensor Convolve(Tensor input, Tensor kernel, Tensor? kernelBias) =>
            _spatialDims == 2
                ? nn.functional.conv2d(input, kernel, kernelBias, strides: _strides, padding: _padding)
                : nn.functional.conv3d(input, kernel, kernelBias, strides: _strides, padding: _padding);
    }

    /// <summary>
    /// A 2D or 3D transposed convolution with kernel = stride, no padding and no output padding, computed by libtorch's
    /// own transposed convolution. Parameters, their shapes (<c>weight</c> is <c>[in, out, k…]</c>), names (<c>weight</c>,
    /// <c>bias</c>) and initialisation are <c>nn.ConvTranspose2d</c>'s or <c>nn.ConvTranspose3d</c>'s.
    /// </summary>
    /// <remarks>
    /// The only difference from <c>nn.ConvTranspose2d</c> / <c>nn.ConvTranspose3d</c>: the weight goes through
    /// <see cref="OneDnnWeights.ForTransposed"/>, which steers oneDNN away from a kernel that computes wrong input
    /// gradients on some CPUs (docs/speed-notes.md, sixth session; 8 → 24 and 16 → 24 channels at batch 2 were off by up to 3, or NaN).
    /// </remarks>
    public sealed class OneDnnConvTranspose : nn.Module<Tensor, Tensor>, IGraphBlock
    {
        private readonly Parameter weight;
        private readonly Parameter? bias;
        private readonly int _spatialDims;
        private readonly long[] _strides;

        /// <summary>Creates the transposed convolution, initialised exactly as <c>nn.ConvTranspose2d</c> or <c>nn.ConvTranspose3d</c> with the same arguments (and the same draws).</summary>
        /// <param name="spatialDims">2 or 3.</param>
        /// <param name="inChannels">Input channels.</param>
        /// <param name="outChannels">Output channels.</param>
        /// <param name="kernel">Kernel size along every axis.</param>
        /// <param name="stride">Stride along every axis.</param>
        /// <param name="hasBias">Whether the layer has a <c>bias</c> parameter.</param>
        public OneDnnConvTranspose(int spatialDims, long inChannels, long outChannels, long kernel, long stride, bool hasBias)
            : base(nameof(OneDnnConvTranspose))
        {
            _spatialDims = Layers.CheckSpatialDims(spatialDims);
            using (var template = spatialDims == 2
                ? (nn.Module)nn.ConvTranspose2d(inChannels, outChannels, kernel, stride, bias: hasBias)
                : nn.ConvTranspose3d(inChannels, outChannels, kernel, stride, bias: hasBias))
            {
                var parameters = template.named_parameters().ToDictionary(p => p.name, p => p.parameter);
                (weight, bias) = TemplateParameters.Copy(parameters["weight"], parameters.GetValueOrDefault("bias"));
            }

            _strides = Enumerable.Repeat(stride, spatialDims).ToArray();
            RegisterComponents();
        }

        /// <inheritdoc/>
        public GraphValue Export(GraphBuilder graph, GraphValue input) => graph.ConvTranspose(input, weight, bias, _strides[0]);

        /// <inheritdoc/>
        public override Tensor forward(Tensor input)
        {
            var kernel = OneDnnWeights.ForTransposed(weight, input);
            return _spatialDims == 2
                ? nn.functional.conv_transpose2d(input, kernel, bias, strides: _strides)
                : nn.functional.conv_transpose3d(input, kernel, bias, strides: _strides);
        }
    }
}
