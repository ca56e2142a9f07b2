using System.Linq;
using System;
using TorchSharp.Modules;
using Unetr.Dsl;
using Unetr.Model.Export;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks.Monai
{
    /// <summary>
    /// MONAI's <c>PatchEmbeddingBlock</c> with a learned position embedding: patches become tokens by a
    /// convolution (kernel = stride = patch) or, for <see cref="PatchProjection.Perceptron"/>, by
    /// <c>Sequential(PatchRearrange, Linear)</c> (keys <c>patch_embeddings.1.*</c>); then
    /// <c>+ position_embeddings</c> and dropout. <c>[B, C, *image]</c> → <c>[B, N, hidden]</c>.
    /// </summary>
    public sealed class PatchEmbeddingBlock : nn.Module<Tensor, Tensor>, IGraphBlock
    {
        private readonly nn.Module<Tensor, Tensor> patch_embeddings;
        private readonly Parameter position_embeddings;
        private readonly Dropout dropout;
        private readonly PatchProjection projection;
        private readonly long[] grid;
        private readonly long patchSize;

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
            grid = Tokens.PatchGrid(imageSize, patchSize);
            this.patchSize = patchSize;
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

        /// <inheritdoc/>
        public GraphValue Export(GraphBuilder graph, GraphValue input)
        {
            var tokens = patch_embeddings is Sequential perceptron
                ? graph.Apply((nn.Module)perceptron[1], Rearrange(graph, input))
                : graph.FromVolume(graph.Apply(patch_embeddings, input));
            return graph.Add(tokens, graph.Parameter(position_embeddings));
        }

        /// <summary><see cref="PatchRearrange"/>'s reshapes with this block's known grid; the batch stays dynamic.</summary>
        private GraphValue Rearrange(GraphBuilder graph, GraphValue image)
        {
            var dims = grid.Length;
            var split = new long[] { 0, 0 }.Concat(grid.SelectMany(cells => new[] { cells, patchSize })).ToArray();
            var order = new long[] { 0 }
                .Concat(Enumerable.Range(0, dims).Select(axis => 2L + 2 * axis))
                .Concat(Enumerable.Range(0, dims).Select(axis => 3L + 2 * axis))
                .Append(1)
                .ToArray();
            return graph.Reshape(graph.Transpose(graph.Reshape(image, split), order), 0, grid.Aggregate(1L, (product, cells) => product * cells), -1);
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
