using System.Linq;
using System;
using TorchSharp.Modules;
using Unetr.Model.Export;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks.Seed
{
    /// <summary>
    /// Seed layout patch embedding: a convolution with kernel = stride = patch size, flattened to tokens,
    /// plus a learned position embedding, then dropout. <c>[B, C, *image]</c> → <c>[B, N, E]</c>.
    /// </summary>
    public sealed class SeedEmbeddings : nn.Module<Tensor, Tensor>, IGraphBlock
    {
        private readonly nn.Module<Tensor, Tensor> patch_embeddings;
        private readonly Parameter position_embeddings;
        private readonly Dropout dropout;

        /// <summary>Creates the embedding; the position embedding starts at zero, as in the seed code.</summary>
        /// <param name="spatialDims">2 or 3.</param>
        /// <param name="inChannels">Image channels.</param>
        /// <param name="imageSize">Image size per spatial axis, each a multiple of <paramref name="patchSize"/>.</param>
        /// <param name="patchSize">Patch edge length.</param>
        /// <param name="embedDim">Token width E.</param>
        /// <param name="dropout">Dropout rate applied to the embedded tokens.</param>
        public SeedEmbeddings(int spatialDims, long inChannels, long[] imageSize, long patchSize, long embedDim, double dropout)
            : base(nameof(SeedEmbeddings))
        {
            var patches = Tokens.PatchGrid(imageSize, patchSize).Aggregate(1L, (product, axis) => product * axis);
            patch_embeddings = Layers.Conv(spatialDims, inChannels, embedDim, patchSize, patchSize, padding: 0, bias: true);
            position_embeddings = new Parameter(zeros(1, patches, embedDim));
            this.dropout = nn.Dropout(dropout);
            RegisterComponents();
        }

        /// <inheritdoc/>
        public GraphValue Export(GraphBuilder graph, GraphValue input) =>
            graph.Add(graph.FromVolume(graph.Apply(patch_embeddings, input)), graph.Parameter(position_embeddings));

        /// <inheritdoc/>
        public override Tensor forward(Tensor image)
        {
            var tokens = Tokens.FromVolume(patch_embeddings.call(image));
            return dropout.call(tokens + position_embeddings);
        }
    }
}
