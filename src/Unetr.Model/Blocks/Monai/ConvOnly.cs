using System;
using Unetr.Model.Export;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks.Monai
{
    /// <summary>
    /// MONAI's <c>Convolution(conv_only=True)</c>: a single (transposed) convolution in a child named
    /// <c>conv</c>, so its keys read <c>….conv.weight</c>. Padding follows MONAI's <c>get_padding</c>,
    /// (k − s + 1) / 2, which is (k − 1) / 2 at stride 1.
    /// </summary>
    public sealed class ConvOnly : nn.Module<Tensor, Tensor>, IGraphBlock
    {
        private readonly nn.Module<Tensor, Tensor> conv;

        /// <summary>Creates the convolution.</summary>
        /// <param name="spatialDims">2 or 3.</param>
        /// <param name="inChannels">Input channels.</param>
        /// <param name="outChannels">Output channels.</param>
        /// <param name="kernel">Kernel size along every axis.</param>
        /// <param name="stride">Stride along every axis.</param>
        /// <param name="transposed">
        /// A transposed convolution that multiplies every axis by <paramref name="stride"/>; it needs
        /// kernel = stride (no padding, no output padding), the only form UNETR uses.
        /// </param>
        /// <param name="bias">Whether the convolution has a bias (MONAI: only the final 1×1 output conv).</param>
        public ConvOnly(int spatialDims, long inChannels, long outChannels, long kernel, long stride, bool transposed, bool bias)
            : base(nameof(ConvOnly))
        {
            if (transposed)
            {
                if (kernel != stride)
                {
                    throw new ArgumentException($"A transposed convolution needs kernel = stride; got kernel {kernel}, stride {stride}.", nameof(kernel));
                }

                conv = Layers.ConvTranspose(spatialDims, inChannels, outChannels, kernel, stride, bias);
            }
            else
            {
                if (kernel < stride)
                {
                    throw new ArgumentException($"A convolution needs kernel ≥ stride; got kernel {kernel}, stride {stride}.", nameof(kernel));
                }

                conv = Layers.Conv(spatialDims, inChannels, outChannels, kernel, stride, padding: (kernel - stride + 1) / 2, bias);
            }

            RegisterComponents();
        }

        /// <inheritdoc/>
        public GraphValue Export(GraphBuilder graph, GraphValue input) => graph.Apply(conv, input);

        /// <inheritdoc/>
        public override Tensor forward(Tensor input) => conv.call(input);
    }
}
