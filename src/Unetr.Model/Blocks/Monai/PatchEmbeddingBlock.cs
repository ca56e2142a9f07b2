using System;
using System.Linq;
using TorchSharp.Modules;
using Unetr.Dsl;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks.Monai
{
    /// <summary>
    /// MONAI's <c>PatchEmbeddingBlock</c> with a learned position embedding: patches become tokens by a
    /// convolution (kernel = stride = patch) or, for <see cref="PatchProjection.Perceptron"/>, by
    /// <c>Sequential(PatchRearrange, Linear)</c> (keys <c>patch_embeddings.1.*</c>); then
    /// <c>+ position_embeddings</c> and dropout. <c>[B, C, *image]</c> → <c>[B, N, hidden]</c>.
    /// </summary>
    public sealed class PatchEmbeddingBlock : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> patch_embeddings;
        private readonly Parameter position_embeddings;
        private readonly Dropout dropout;
        private readonly PatchProjection projection;

        /// <summary>Creates the embedding, initialised like MONAI (truncated normal, std 0.02).</summary>
        /// <param name="spatialDims">2 or 3.</param>
        /// <param name="inChannels">Image channels.</param>
        /// <param name="imageSize">Image size per spatial axis, each a multiple of <paramref name="patchSize"/>.</param>
        /// <param name="patchSize">Patch edge length.</param>
        /// <param name="hiddenSize">Token width.</param>
        /// <param name="projection">Convolution or flatten-then-Linear.</param>
        /// <param name="dropout">Dropout rate applied to the embedded tokens.</param>
        public PatchEmbeddingBlock(
            int spatialDims, long inChannels, long[] imageSize, long patchSize, long hiddenSize, PatchProjection projection, double dropout)
            : base(nameof(PatchEmbeddingBlock))
        {
            var patches = Tokens.PatchGrid(imageSize, patchSize).Aggregate(1L, (product, cells) => product * cells);
            this.projection = projection;
            patch_embeddings = projection switch
            {
                PatchProjection.Conv => Layers.Conv(spatialDims, inChannels, hiddenSize, patchSize, patchSize, padding: 0, bias: true),
                PatchProjection.Perceptron => nn.Sequential(
                    new PatchRearrange(spatialDims, patchSize),
                    new OneDnnLinear(inChannels * (long)Math.Pow(patchSize, spatialDims), hiddenSize)),
                _ => throw new ArgumentOutOfRangeException(nameof(projection), projection, "Expected Conv or Perceptron."),
            };
            position_embeddings = new Parameter(empty(1, patches, hiddenSize));
            this.dropout = nn.Dropout(dropout);
            InitializeLikeMonai();
            RegisterComponents();
        }

        /// <inheritdoc/>
        public override Tensor forward(Tensor image)
        {
            var projected = patch_embeddings.call(image);
            var tokens = projection == PatchProjection.Conv ? Tokens.FromVolume(projected) : projected;
            return dropout.call(tokens + position_embeddings);
        }

        private void InitializeLikeMonai()
        {
            using var noGrad = no_grad();
            TruncatedNormal.Fill_(position_embeddings, mean: 0.0, std: 0.02, a: -2.0, b: 2.0);
            if (patch_embeddings is Sequential perceptron && perceptron[1] is OneDnnLinear linear)
            {
                TruncatedNormal.Fill_(linear.Weight, mean: 0.0, std: 0.02, a: -2.0, b: 2.0);
                nn.init.zeros_(linear.Bias!);
            }
        }
    }
}
