using System;
using TorchSharp.Modules;
using Unetr.Model.Export;
using Unetr.Model.Runtime;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks
{
    /// <summary>
    /// A stride-1 3D convolution that, on CPU, makes sure libtorch computes it with oneDNN. Parameters, their shapes,
    /// names (<c>weight</c>, <c>bias</c>) and initialisation are <c>nn.Conv3d</c>'s; only the route differs.
    /// </summary>
    /// <remarks>
    /// libtorch (2.10, <c>ConvParams::use_mkldnn</c>) gives a float convolution on CPU to oneDNN only if the batch
    /// is above 1, the kernel's last two axes are above 3, or N·C·D·H (the first four sizes, a rule written for 2D
    /// images) is above 20,480. Every other 3D convolution goes to <c>slow_conv3d</c>, an unfold and a BLAS product:
    /// for a UNETR decoder at batch 1 that is every convolution at 16³ and below, and the few-channel ones at 64³, and
    /// the BLAS route is much slower than oneDNN's (docs/speed-notes.md, fourth session). For those inputs this module makes the call one that oneDNN takes:
    /// <list type="bullet">
    /// <item>it pads the input explicitly and convolves without padding, when that alone lifts N·C·D·H over the limit;</item>
    /// <item>otherwise it also cuts the padded volume into two depth slabs that overlap by the kernel's reach and
    /// stacks them as a batch of two, then puts the two output halves back in depth order.</item>
    /// </list>
    /// Both compute the same sums as the plain convolution (in another order, so results differ in the last bits).
    /// One input channel stays on libtorch's own route: there the split made forward and backward together slower.
    /// Every route takes the weight through <see cref="OneDnnWeights"/>, which steers oneDNN away from a kernel that
    /// computes wrong input gradients on some CPUs (docs/speed-notes.md, sixth session).
    /// In evaluation mode without gradients, a 3×3×3 padding-1 convolution of the shapes that
    /// <see cref="CpuRoutingPolicy.ConvolutionUsesWinograd"/> names is computed by Winograd F(2³, 3³) instead
    /// (<see cref="Winograd3d"/>, its kernel transform cached per kernel).
    /// </remarks>
    public sealed class OneDnnConv3d : nn.Module<Tensor, Tensor>, IGraphBlock, IFoldableConvolution
    {
        private readonly Parameter weight;
        private readonly Parameter? bias;
        private readonly long _kernel;
        private readonly long _padding;
        private readonly long[] _paddingPerAxis;
        private readonly WinogradKernelCache _winograd = new();

        /// <summary>Creates the convolution, initialised exactly as <c>nn.Conv3d</c> with the same arguments (and the same draws).</summary>
        /// <param name="inChannels">Input channels.</param>
        /// <param name="outChannels">Output channels.</param>
        /// <param name="kernel">Kernel size along every axis.</param>
        /// <param name="padding">Zero padding along every axis.</param>
        /// <param name="hasBias">Whether the layer has a <c>bias</c> parameter.</param>
        public OneDnnConv3d(long inChannels, long outChannels, long kernel, long padding, bool hasBias)
            : base(nameof(OneDnnConv3d))
        {
            using (var template = nn.Conv3d(inChannels, outChannels, kernel, stride: 1, padding, bias: hasBias))
            {
                (weight, bias) = TemplateParameters.Copy(template.weight!, template.bias);
            }

            _kernel = kernel;
            _padding = padding;
            _paddingPerAxis = new[] { padding, padding, padding };
            RegisterComponents();
        }

        /// <summary>How a convolution of this module's kernel and padding is computed for an input of this shape (<see cref="CpuRoutingPolicy.Current"/> decides).</summary>
        /// <param name="inputShape"><c>[N, C, D, H, W]</c>; an unbatched <c>[C, D, H, W]</c>, which <c>nn.Conv3d</c> also takes, goes as it is.</param>
        /// <param name="onCpu">Whether the input is on the CPU.</param>
        /// <returns>The route <see cref="forward"/> takes.</returns>
        public OneDnnRoute RouteFor(long[] inputShape, bool onCpu) =>
            CpuRoutingPolicy.Current.ConvolutionRoute(inputShape, _kernel, _padding, onCpu);

        /// <summary>
        /// Whether a forward of an input of this shape, now, computes the convolution by Winograd F(2³, 3³)
        /// (<see cref="Winograd3d"/>): evaluation mode, no gradient recorded, and <see cref="CpuRoutingPolicy.ConvolutionUsesWinograd"/>.
        /// </summary>
        /// <param name="inputShape"><c>[N, C, D, H, W]</c>.</param>
        /// <param name="onCpu">Whether the input is on the CPU.</param>
        public bool UsesWinograd(long[] inputShape, bool onCpu) =>
            !training && !is_grad_enabled() && CpuRoutingPolicy.Current.ConvolutionUsesWinograd(inputShape, weight.shape[0], _kernel, _padding, onCpu);

        /// <summary>
        /// Whether a training forward (train mode, gradients recorded, CPU) computes row-major while the weight is row-major
        /// (oneDNN's blocked layout): a channels-last input is copied to row-major first.
        /// <see cref="ChannelsLast.ConvertForTraining"/> sets it for the layers it leaves row-major
        /// (<see cref="CpuRoutingPolicy.ChannelsLastTrainingMaximumChannels"/>); off otherwise, so a network that trains
        /// without that conversion computes as libtorch's plain call would.
        /// </summary>
        public bool RowMajorInTraining { get; set; }

        /// <summary>Input channels (the weight's second axis).</summary>
        public long InChannels => weight.shape[1];

        /// <summary>Output channels (the weight's first axis).</summary>
        public long OutChannels => weight.shape[0];

        /// <inheritdoc/>
        public GraphValue Export(GraphBuilder graph, GraphValue input) => graph.Conv(input, weight, bias, stride: 1, _padding);

        /// <inheritdoc/>
        public override Tensor forward(Tensor input)
        {
            ArgumentNullException.ThrowIfNull(input);
            if (TakesRowMajorCopy(input))
            {
                input = input.contiguous();
            }

            return Convolve(input, OneDnnWeights.For(weight, input), bias);
        }

        Tensor IFoldableConvolution.Weight => weight;

        Tensor? IFoldableConvolution.Bias => bias;

        Tensor IFoldableConvolution.Convolve(Tensor input, Tensor kernel, Tensor? kernelBias) => Convolve(input, kernel, kernelBias);

        /// <inheritdoc/>
        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _winograd.Dispose();
            }

            base.Dispose(disposing);
        }

        private Tensor Convolve(Tensor input, Tensor kernel, Tensor? kernelBias)
        {
            var onCpu = input.device_type == TorchSharp.DeviceType.CPU;
            if (UsesWinograd(input.shape, onCpu))
            {
                return Winograd3d.Convolve(input, _winograd.For(kernel), kernelBias, CpuRoutingPolicy.Current.WinogradTilesPerSlab(input.shape));
            }

            return RouteFor(input.shape, onCpu) switch
            {
                OneDnnRoute.PaddedInput => nn.functional.conv3d(PadSpatial(input, extraDepth: 0), kernel, kernelBias),
                OneDnnRoute.DepthSlabs => ConvolveDepthSlabs(input, kernel, kernelBias),
                _ => nn.functional.conv3d(input, kernel, kernelBias, padding: _paddingPerAxis),
            };
        }

        // A wide layer in a training forward (RowMajorInTraining) computes row-major: a channels-last input (a transposed
        // convolution's output, the tokens' volume view, a narrow layer's output) would make libtorch pick oneDNN's
        // channels-last kernels, slower for a wide layer than its blocked layout.
        private bool TakesRowMajorCopy(Tensor input) =>
            RowMajorInTraining
            && training
            && is_grad_enabled()
            && input.dim() == 5
            && input.device_type == TorchSharp.DeviceType.CPU
            && weight.is_contiguous()
            && !input.is_contiguous();

        // Output depth Do splits into two halves of ceil(Do / 2); slab i reads padded planes [i·half, i·half + half + k − 1).
        // An odd Do gets one more zero plane at the end, whose output plane is cut off again.
        private Tensor ConvolveDepthSlabs(Tensor input, Tensor kernel, Tensor? kernelBias)
        {
            var outputDepth = input.shape[2] + 2 * _padding - _kernel + 1;
            var half = (outputDepth + 1) / 2;
            var padded = PadSpatial(input, extraDepth: 2 * half - outputDepth);
            var slabs = cat(new[] { padded.narrow(2, 0, half + _kernel - 1), padded.narrow(2, half, half + _kernel - 1) }, 0);
            var halves = nn.functional.conv3d(slabs, kernel, kernelBias);

            // [2, C', half, H', W'] → [C', 2, half, H', W'] → [1, C', 2·half, H', W'] (a view when the output is channels-last).
            var shape = halves.shape;
            var merged = halves.transpose(0, 1).reshape(1, shape[1], 2 * half, shape[3], shape[4]);
            return merged.shape[2] == outputDepth ? merged : merged.narrow(2, 0, outputDepth);
        }

        // nn.functional.pad lists (before, after) pairs from the last axis back: W, H, then D.
        private Tensor PadSpatial(Tensor input, long extraDepth) =>
            nn.functional.pad(input, new[] { _padding, _padding, _padding, _padding, _padding, _padding + extraDepth });
    }

    /// <summary>How <see cref="OneDnnConv3d"/> computes a convolution.</summary>
    public enum OneDnnRoute
    {
        /// <summary>The plain call: libtorch already picks oneDNN, or this is not a CPU batch-1 case worth changing.</summary>
        AsIs,

        /// <summary>Explicit zero padding, then a convolution without padding (N·C·D·H of the padded input is over the limit).</summary>
        PaddedInput,

        /// <summary>Explicit padding, two overlapping depth slabs convolved as a batch of two, halves put back in order.</summary>
        DepthSlabs,
    }
}
