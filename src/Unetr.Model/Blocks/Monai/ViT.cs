using System.Linq;
using TorchSharp.Modules;
using Unetr.Dsl;
using Unetr.Model.Export;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks.Monai
{
    /// <summary>
    /// MONAI's <c>ViT</c> as UNETR uses it (state_dict prefix <c>vit.</c>): <c>patch_embedding</c>,
    /// <c>blocks</c> and a final LayerNorm <c>norm</c>. Returns the block outputs <c>[B, N, hidden]</c> at
    /// <c>extractLayers</c>, in order; with <c>finalNorm</c>, <c>norm</c> is applied to the last of them
    /// (MONAI's UNETR reads its deepest feature from <c>vit.norm</c> of block 12's output).
    /// </summary>
    public sealed class ViT : nn.Module<Tensor, Tensor[]>, IGraphEncoder
    {
        private readonly PatchEmbeddingBlock patch_embedding;
        private readonly ModuleList<TransformerBlock> blocks;
        private readonly LayerNorm norm;
        private readonly int[] extractLayers;
        private readonly bool finalNorm;
        private readonly bool checkpointing;

        /// <summary>Creates the encoder.</summary>
        /// <param name="spatialDims">2 or 3.</param>
        /// <param name="inChannels">Image channels.</param>
        /// <param name="imageSize">Image size per spatial axis, each a multiple of <paramref name="patchSize"/>.</param>
        /// <param name="patchSize">Patch edge length.</param>
        /// <param name="hiddenSize">Token width.</param>
        /// <param name="mlpDim">Hidden width of each block's MLP.</param>
        /// <param name="depth">Number of transformer blocks.</param>
        /// <param name="heads">Attention heads; must divide <paramref name="hiddenSize"/>.</param>
        /// <param name="projection">How patches become tokens.</param>
        /// <param name="dropout">Dropout rate of embeddings, attention and MLP.</param>
        /// <param name="qkvBias">Whether the fused <c>qkv</c> Linear has a bias.</param>
        /// <param name="activation">MLP activation (MONAI: exact GELU).</param>
        /// <param name="finalNorm">Whether <c>norm</c> is applied to the deepest extracted output.</param>
        /// <param name="extractLayers">1-based, strictly increasing block numbers whose outputs are returned.</param>
        /// <param name="checkpointing">Recompute each block in the backward pass instead of keeping its activations (<see cref="Checkpoint"/>).</param>
        public ViT(
            int spatialDims,
            long inChannels,
            long[] imageSize,
            long patchSize,
            long hiddenSize,
            long mlpDim,
            int depth,
            long heads,
            PatchProjection projection,
            double dropout,
            bool qkvBias,
            MlpActivation activation,
            bool finalNorm,
            int[] extractLayers,
            bool checkpointing = false)
            : base(nameof(ViT))
        {
            this.extractLayers = TransformerChecks.ExtractLayers(extractLayers, depth);
            this.finalNorm = finalNorm;
            Checkpoint.RequireNoDropout(checkpointing, dropout);
            this.checkpointing = checkpointing;
            patch_embedding = new PatchEmbeddingBlock(spatialDims, inChannels, imageSize, patchSize, hiddenSize, projection, dropout);
            blocks = nn.ModuleList(Enumerable.Range(0, depth)
                .Select(_ => new TransformerBlock(hiddenSize, mlpDim, heads, dropout, qkvBias, activation))
                .ToArray());
            norm = nn.LayerNorm(hiddenSize, eps: 1e-5);
            RegisterComponents();
        }

        /// <inheritdoc/>
        public GraphValue[] Export(GraphBuilder graph, GraphValue image) =>
            ExtractedStates.Export(graph, graph.Apply(patch_embedding, image), blocks, extractLayers, finalNorm ? norm : null);

        /// <inheritdoc/>
        public override Tensor[] forward(Tensor image) =>
            ExtractedStates.Run(patch_embedding.call(image), blocks, extractLayers, finalNorm ? norm : null, checkpointing);
    }
}
