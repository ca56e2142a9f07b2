using System.Collections.Generic;
using System.Globalization;
using Unetr.Generators.Model;

namespace Unetr.Generators.Shapes
{
    /// <summary>
    /// The seed ("tamasino52") layout: <c>transformer</c>, then a decoder whose modules are named after the block
    /// each skip comes from (<c>decoder3</c>, <c>decoder12_upsampler</c>, …). Every convolution has a bias and every
    /// 3×3 convolution is followed by BatchNorm.
    /// </summary>
    internal static class SeedCost
    {
        public static CostReport Compute(UnetrSpec spec)
        {
            var levels = new SpatialLevels(spec);
            var summary = new SummaryBuilder();
            AddTransformer(summary, spec, levels);
            AddDecoder(summary, spec, levels);
            return summary.Build();
        }

        private static void AddTransformer(SummaryBuilder summary, UnetrSpec spec, SpatialLevels levels)
        {
            var tokens = levels.TokenShape(spec.EmbedDim);
            var finalNorm = LayerCost.LayerNorm(spec.EmbedDim);
            summary.Add(
                "transformer",
                "Transformer",
                new Part("embeddings", "Embeddings", tokens, LayerCost.PatchEmbedding(spec, levels)),
                new Part("layer", "Block ×" + spec.Depth.ToString(CultureInfo.InvariantCulture), tokens, Block(spec, levels).Times(spec.Depth)),
                spec.FinalNorm
                    ? new Part("encoder_norm", "LayerNorm", tokens, finalNorm)
                    : new Part("encoder_norm", "LayerNorm (never applied)", tokens, finalNorm.NotRun()));
        }

        /// <summary>Pre-norm block: separate query/key/value/out projections and a two-layer MLP, all with bias.</summary>
        private static Cost Block(UnetrSpec spec, SpatialLevels levels)
        {
            long embed = spec.EmbedDim;
            var tokens = levels.Tokens;
            return LayerCost.LayerNorm(embed)
                + LayerCost.Linear(embed, embed, tokens, bias: true).Times(4)
                + LayerCost.AttentionProducts(tokens, embed)
                + LayerCost.LayerNorm(embed)
                + LayerCost.Linear(embed, spec.MlpDim, tokens, bias: true)
                + LayerCost.Linear(spec.MlpDim, embed, tokens, bias: true);
        }

        /// <summary>Decoder modules in the order the seed's forward calls them, deepest skip first.</summary>
        private static void AddDecoder(SummaryBuilder summary, UnetrSpec spec, SpatialLevels levels)
        {
            var stages = levels.Stages;
            var widths = spec.Widths;
            long embed = spec.EmbedDim;

            summary.Add(
                SkipName(spec, stages) + "_upsampler",
                "SingleDeconvBlock",
                new Part("block", "ConvTranspose" + levels.Suffix, levels.Shape(widths[stages - 1], stages - 1), Deconv(levels, embed, widths[stages - 1], stages)));

            for (var stage = stages - 1; stage >= 1; stage--)
            {
                AddSkipChain(summary, spec, levels, stage);
                long width = widths[stage];
                summary.Add(
                    SkipName(spec, stage) + "_upsampler",
                    "Sequential",
                    new Part("0", "ConvBlock", levels.Shape(width, stage), ConvBlock(levels, 2 * width, width, stage)),
                    new Part("1", "ConvBlock", levels.Shape(width, stage), ConvBlock(levels, width, width, stage)),
                    new Part("2", "SingleDeconvBlock", levels.Shape(widths[stage - 1], stage - 1), Deconv(levels, width, widths[stage - 1], stage)));
            }

            long first = widths[0];
            summary.Add(
                "decoder0",
                "Sequential",
                new Part("0", "ConvBlock", levels.Shape(spec.StemWidth, 0), ConvBlock(levels, spec.InChannels, spec.StemWidth, 0)),
                new Part("1", "ConvBlock", levels.Shape(first, 0), ConvBlock(levels, spec.StemWidth, first, 0)));
            summary.Add(
                "decoder0_header",
                "Sequential",
                new Part("0", "ConvBlock", levels.Shape(first, 0), ConvBlock(levels, 2 * first, first, 0)),
                new Part("1", "ConvBlock", levels.Shape(first, 0), ConvBlock(levels, first, first, 0)),
                new Part("2", "SingleConvBlock", levels.Shape(spec.OutChannels, 0), LayerCost.Conv(levels, first, spec.OutChannels, 1, levels.Voxels(0), bias: true)));
        }

        /// <summary>
        /// The skip of <paramref name="stage"/>: deconv blocks from the token grid up to the stage's resolution,
        /// E → w[n−1] → … → w[stage]. A chain of one is the block itself (<c>decoder9.block.…</c>), longer chains
        /// a Sequential (<c>decoder3.0.block.…</c>).
        /// </summary>
        private static void AddSkipChain(SummaryBuilder summary, UnetrSpec spec, SpatialLevels levels, int stage)
        {
            var stages = levels.Stages;
            var chain = new List<Part>();
            long inChannels = spec.EmbedDim;
            for (var inLevel = stages; inLevel > stage; inLevel--)
            {
                long outChannels = spec.Widths[inLevel - 1];
                var cost = Deconv(levels, inChannels, outChannels, inLevel)
                    + ConvBlock(levels, outChannels, outChannels, inLevel - 1);
                chain.Add(new Part(chain.Count.ToString(CultureInfo.InvariantCulture), "DeconvBlock", levels.Shape(outChannels, inLevel - 1), cost));
                inChannels = outChannels;
            }

            var name = SkipName(spec, stage);
            if (chain.Count == 1)
            {
                summary.Add(name, "DeconvBlock", new Part("block", "Sequential", chain[0].OutputShape, chain[0].Cost));
            }
            else
            {
                summary.Add(name, "Sequential", chain.ToArray());
            }
        }

        /// <summary>decoder{K}: K is the 1-based block that feeds the skip of this stage (stage n: the deepest).</summary>
        private static string SkipName(UnetrSpec spec, int stage) =>
            "decoder" + spec.ExtractLayers[stage - 1].ToString(CultureInfo.InvariantCulture);

        /// <summary>3×3 convolution with bias, BatchNorm, ReLU, at <paramref name="level"/>.</summary>
        private static Cost ConvBlock(SpatialLevels levels, long inChannels, long outChannels, int level) =>
            LayerCost.Conv(levels, inChannels, outChannels, 3, levels.Voxels(level), bias: true)
            + LayerCost.DecoderNorm(Norm.Batch, outChannels);

        /// <summary>Transposed convolution with bias from <paramref name="inLevel"/> to the next finer level.</summary>
        private static Cost Deconv(SpatialLevels levels, long inChannels, long outChannels, int inLevel) =>
            LayerCost.ConvTranspose(levels, inChannels, outChannels, levels.Voxels(inLevel), bias: true);
    }
}
