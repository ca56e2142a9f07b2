using System.Linq;
using System;
using TorchSharp.Modules;
using Unetr.Model.Export;
using Unetr.Model.Runtime;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks
{
    /// <summary>
    /// A linear layer that, on CPU, has oneDNN compute the product when there are enough rows. Parameters, their
    /// shapes, names (<c>weight</c> <c>[out, in]</c>, <c>bias</c> <c>[out]</c>) and initialisation are
    /// <c>nn.Linear</c>'s; only the route differs.
    /// </summary>
    /// <remarks>
    /// libtorch's <c>linear</c> on CPU is a BLAS product (MKL), which on AMD CPUs runs its AVX2 path, while oneDNN uses
    /// AVX-512 where the CPU has it (docs/speed-notes.md, fifth session, has the figures of the AVX-512 machine). This
    /// module computes the same product as a channels-last 1×1 convolution: the <c>[rows, in]</c> input is viewed,
    /// without a copy, as a <c>[1, in, rows, 1]</c> image whose channels are innermost, the weight as
    /// <c>[out, in, 1, 1]</c> with the same channels-last strides, and the channels-last <c>[1, out, rows, 1]</c> output is, in memory, the <c>[rows, out]</c> result. libtorch hands that convolution to
    /// oneDNN when in · rows is above its limit (<see cref="CpuRoutingPolicy.LibTorchOneDnnLimit"/>). Below
    /// <see cref="CpuRoutingPolicy.LinearAsConvolutionMinimumRows"/> rows (the 8-token tiny presets, the 64-token seed
    /// benchmark at width 192) the convolution's set-up costs more than it saves, and the plain call is kept;
    /// <see cref="CpuRoutingPolicy.Current"/> decides.
    /// </remarks>
    public sealed class OneDnnLinear : nn.Module<Tensor, Tensor>, IGraphBlock
    {
        private readonly Parameter weight;
        private readonly Parameter? bias;
        private readonly long _inFeatures;

        /// <summary>Creates the layer, initialised exactly as <c>nn.Linear</c> with the same arguments (and the same draws).</summary>
        /// <param name="inFeatures">Input width.</param>
        /// <param name="outFeatures">Output width.</param>
        /// <param name="hasBias">Whether the layer has a <c>bias</c> parameter.</param>
        public OneDnnLinear(long inFeatures, long outFeatures, bool hasBias = true)
            : base(nameof(OneDnnLinear))
        {
            using (var template = nn.Linear(inFeatures, outFeatures, hasBias))
            {
                (weight, bias) = TemplateParameters.Copy(template.weight!, template.bias);
            }

            _inFeatures = inFeatures;
            RegisterComponents();
        }

        /// <summary>The <c>[out, in]</c> weight.</summary>
        public Parameter Weight => weight;

        /// <summary>The <c>[out]</c> bias, or null when the layer has none.</summary>
        public Parameter? Bias => bias;

        /// <summary>Whether <see cref="forward"/> computes an input of this shape as a oneDNN convolution.</summary>
        /// <param name="inputShape"><c>[…, in]</c>.</param>
        /// <param name="onCpu">Whether the input is on the CPU.</param>
        /// <returns>True for the convolution route, false for libtorch's <c>linear</c>.</returns>
        public bool UsesConvolution(long[] inputShape, bool onCpu) => CpuRoutingPolicy.Current.LinearUsesConvolution(inputShape, _inFeatures, onCpu);

        /// <inheritdoc/>
        public GraphValue Export(GraphBuilder graph, GraphValue input) => graph.Linear(input, weight, bias);

        /// <inheritdoc/>
        public override Tensor forward(Tensor input) => Apply(input, weight, bias);

        /// <summary>
        /// <c>nn.functional.linear(input, weight, bias)</c>, computed as a channels-last 1×1 convolution when
        /// <see cref="CpuRoutingPolicy.LinearUsesConvolution"/> of <see cref="CpuRoutingPolicy.Current"/> says so.
        /// </summary>
        /// <param name="input"><c>[…, in]</c>.</param>
        /// <param name="weight"><c>[out, in]</c>, row-major.</param>
        /// <param name="bias"><c>[out]</c> or null.</param>
        /// <returns><c>[…, out]</c>, contiguous.</returns>
        public static Tensor Apply(Tensor input, Tensor weight, Tensor? bias)
        {
            ArgumentNullException.ThrowIfNull(input);
            ArgumentNullException.ThrowIfNull(weight);
            long inFeatures = weight.shape[1], outFeatures = weight.shape[0];
            if (!CpuRoutingPolicy.Current.LinearUsesConvolution(input.shape, inFeatures, input.device_type == TorchSharp.DeviceType.CPU) || !weight.is_contiguous())
            {
                return nn.functional.linear(input, weight, bias);
            }

            var leading = input.shape[..^1];
            var rows = leading.Aggregate(1L, (product, size) => product * size);

            // [rows, in] → [1, rows, 1, in] → [1, in, rows, 1] with strides (rows·in, 1, in, in): channels-last, no copy.
            var image = input.reshape(1, rows, 1, inFeatures).permute(0, 3, 1, 2);
            var kernel = weight.view(outFeatures, 1, 1, inFeatures).permute(0, 3, 1, 2);
            var output = nn.functional.conv2d(image, kernel, bias);

            // [1, out, rows, 1] channels-last → [1, rows, 1, out], contiguous: the [rows, out] product.
            return output.permute(0, 2, 3, 1).reshape(leading.Append(outFeatures).ToArray());
        }
    }
}
