using TorchSharp.Modules;
using Unetr.Dsl;
using Unetr.Model.Export;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks.Monai
{
    /// <summary>
    /// MONAI's <c>UnetResBlock</c> at stride 1: <c>lrelu(norm2(conv2(lrelu(norm1(conv1(x))))) + shortcut(x))</c>,
    /// where the shortcut is <c>norm3(conv3(x))</c> (1×1 conv) when the channel count changes and <c>x</c>
    /// otherwise. Convs have no bias; LeakyReLU slope 0.01. Keeps the spatial size.
    /// </summary>
    public sealed class UnetResBlock : nn.Module<Tensor, Tensor>, IGraphBlock
    {
        private readonly ConvOnly conv1;
        private readonly ConvOnly conv2;
        private readonly LeakyReLU lrelu;
        private readonly nn.Module<Tensor, Tensor> norm1;
        private readonly nn.Module<Tensor, Tensor> norm2;
        private readonly ConvOnly? conv3;
        private readonly nn.Module<Tensor, Tensor>? norm3;

        /// <summary>Creates the block.</summary>
        /// <param name="spatialDims">2 or 3.</param>
        /// <param name="inChannels">Input channels.</param>
        /// <param name="outChannels">Output channels; a 1×1 shortcut conv exists only if it differs from the input.</param>
        /// <param name="norm">Normalisation after each conv.</param>
        public UnetResBlock(int spatialDims, long inChannels, long outChannels, NormKind norm)
            : base(nameof(UnetResBlock))
        {
            conv1 = new ConvOnly(spatialDims, inChannels, outChannels, kernel: 3, stride: 1, transposed: false, bias: false);
            conv2 = new ConvOnly(spatialDims, outChannels, outChannels, kernel: 3, stride: 1, transposed: false, bias: false);
            lrelu = nn.LeakyReLU(0.01, inplace: true);
            norm1 = Layers.Norm(norm, spatialDims, outChannels);
            norm2 = Layers.Norm(norm, spatialDims, outChannels);
            if (inChannels != outChannels)
            {
                conv3 = new ConvOnly(spatialDims, inChannels, outChannels, kernel: 1, stride: 1, transposed: false, bias: false);
                norm3 = Layers.Norm(norm, spatialDims, outChannels);
            }

            RegisterComponents();
        }

        /// <inheritdoc/>
        public GraphValue Export(GraphBuilder graph, GraphValue input)
        {
            var hidden = graph.Apply(lrelu, graph.Apply(norm1, graph.Apply(conv1, input)));
            hidden = graph.Apply(norm2, graph.Apply(conv2, hidden));
            var shortcut = conv3 is null || norm3 is null ? input : graph.Apply(norm3, graph.Apply(conv3, input));
            return graph.Apply(lrelu, graph.Add(hidden, shortcut));
        }

        /// <inheritdoc/>
        public override Tensor forward(Tensor input)
        {
            // Each intermediate is freed once the next exists (Intermediate.Release): at 96³ every one is 100+ MB.
            var convolved = conv1.call(input);
            var hidden = lrelu.call(Intermediate.Release(convolved, norm1.call(convolved)));
            convolved = Intermediate.Release(hidden, conv2.call(hidden));
            hidden = Intermediate.Release(convolved, norm2.call(convolved));
            if (conv3 is null || norm3 is null)
            {
                return lrelu.call(hidden.add_(input));
            }

            convolved = conv3.call(input);
            var shortcut = Intermediate.Release(convolved, norm3.call(convolved));
            return lrelu.call(Intermediate.Release(shortcut, hidden.add_(shortcut)));
        }
    }
}
