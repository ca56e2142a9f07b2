using System.Linq;
using TorchSharp.Modules;
using Unetr.Dsl;
using Unetr.Model.Export;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks.Seed
{
    /// <summary>
    /// Seed layout ViT encoder (state_dict prefix <c>transformer.</c>): patch embedding, <c>depth</c> pre-norm
    /// blocks and an <c>encoder_norm</c>. Returns the hidden states <c>[B, N, E]</c> after each block in
    /// <c>extractLayers</c>, in order.
    /// </summary>
    /// <remarks>
    /// The seed code creates <c>encoder_norm</c> but never applies it; with <c>finalNorm</c> it is applied to
    /// the deepest extracted state only.
    /// </remarks>
    public sealed class SeedTransformer : nn.Module<Tensor, Tensor[]>, IGraphEncoder
    {
        private readonly SeedEmbeddings embeddings;
        private readonly ModuleList<SeedTransformerBlock> layer;
        private readonly LayerNorm encoder_norm;
        private readonly int[] extractLayers;
        private readonly bool finalNorm;
        private readonly bool checkpointing;

        /// <summary>Creates the encoder.</summary>
        /// <param name="spatialDims">2 or 3.</param>
        /// <param name="inChannels">Image channels.</param>
        /// <param name="imageSize">Image size per spatial axis, each a multiple of <paramref name="patchSize"/>.</param>
        /// <param name="patchSize">Patch edge length.</param>
        /// <param name="embedDim">Token width E.</param>
        /// <param name="depth">Number of transformer blocks.</param>
        /// <param name="heads">Attention heads; must divide <paramref name="embedDim"/>.</param>
        /// <param name="mlpDim">Hidden width of each block's MLP.</param>
        /// <param name="extractLayers">1-based, strictly increasing block numbers whose outputs are returned.</param>
        /// <param name="dropout">Dropout rate of embeddings, attention and MLP.</param>
        /// <param name="activation">MLP activation (the seed code uses ReLU).</param>
        /// <param name="finalNorm">Whether <c>encoder_norm</c> is applied to the deepest extracted state.</param>
        /// <param name="checkpointing">Recompute each block in the backward pass instead of keeping its activations (<see cref="Checkpoint"/>).</param>
        public SeedTransformer(
            int spatialDims,
            long inChannels,
            long[] imageSize,
            long patchSize,
            long embedDim,
            int depth,
            long heads,
            long mlpDim,
            int[] extractLayers,
            double dropout,
            MlpActivation activation,
            bool finalNorm,
            bool checkpointing = false)
            : base(nameof(SeedTransformer))
        {
            this.extractLayers = TransformerChecks.ExtractLayers(extractLayers, depth);
            this.finalNorm = finalNorm;
            Checkpoint.RequireNoDropout(checkpointing, dropout);
            this.checkpointing = checkpointing;
            embeddings = new SeedEmbeddings(spatialDims, inChannels, imageSize, patchSize, embedDim, dropout);
            layer = nn.ModuleList(Enumerable.Range(0, depth)
                .Select(_ => new SeedTransformerBlock(embedDim, heads, mlpDim, dropout, activation))
                .ToArray());
            encoder_norm = nn.LayerNorm(embedDim, eps: 1e-6);
            RegisterComponents();
        }

        /// <inheritdoc/>
        public GraphValue[] Export(GraphBuilder graph, GraphValue image) =>
            ExtractedStates.Export(graph, graph.Apply(embeddings, image), layer, extractLayers, finalNorm ? encoder_norm : null);

        /// <inheritdoc/>
        public override Tensor[] forward(Tensor image) =>
            ExtractedStates.Run(embeddings.call(image), layer, extractLayers, finalNorm ? encoder_norm : null, checkpointing);
    }
}
