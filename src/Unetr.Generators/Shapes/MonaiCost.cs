using System.Collections.Generic;
using System.Globalization;
using Unetr.Generators.Model;

namespace Unetr.Generators.Shapes
{
    /// <summary>
    /// MONAI's <c>UNETR</c>: <c>vit</c>, <c>encoder1</c> … <c>encoder{n}</c> that bring the skips to their
    /// resolution, <c>decoder{n+1}</c> … <c>decoder2</c>, <c>out</c>. Convolutions have no bias except the final 1×1;
    /// the unused <c>cross_attn</c> weights of MONAI ≥ 1.4 are not part of the network.
    /// </summary>
    internal static class MonaiCost
    {
        public static CostReport Compute(UnetrSpec spec)
        {
            var levels = new SpatialLevels(spec);
            var summary = new SummaryBuilder();
            AddVit(summary, spec, levels);
            AddEncoders(summary, spec, levels);
            AddDecoders(summary, spec, levels);
            long first = spec.Widths[0];
            summary.Add(
                "out",
                "UnetOutBlock",
                new Part("conv", "Conv" + levels.Suffix, levels.Shape(spec.OutChannels, 0), LayerCost.Conv(levels, first, spec.OutChannels, 1, levels.Voxels(0), bias: true)));
            return summary.Build();
        }

        private static void AddVit(SummaryBuilder summary, UnetrSpec spec, SpatialLevels levels)
        {
            var tokens = levels.TokenShape(spec.EmbedDim);
            var finalNorm = LayerCost.LayerNorm(spec.EmbedDim);
            summary.Add(
                "vit",
                "ViT",
                new Part("patch_embedding", "PatchEmbeddingBlock", tokens, LayerCost.PatchEmbedding(spec, levels)),
                new Part("blocks", "TransformerBlock ×" + spec.Depth.ToString(CultureInfo.InvariantCulture), tokens, Block(spec, levels).Times(spec.Depth)),
                spec.FinalNorm
                    ? new Part("norm", "LayerNorm", tokens, finalNorm)
                    : new Part("norm", "LayerNorm (never applied)", tokens, finalNorm.NotRun()));
        }

        /// <summary>Pre-norm block: fused qkv (bias optional) and out_proj, a two-layer MLP with biases.</summary>
        private static Cost Block(UnetrSpec spec, SpatialLevels levels)
        {
            long embed = spec.EmbedDim;
            var tokens = levels.Tokens;
            return LayerCost.LayerNorm(embed)
                + LayerCost.Linear(embed, 3 * embed, tokens, spec.QkvBias)
                + LayerCost.AttentionProducts(tokens, embed)
                + LayerCost.Linear(embed, embed, tokens, bias: true)
                + LayerCost.LayerNorm(embed)
                + LayerCost.Linear(embed, spec.MlpDim, tokens, bias: true)
                + LayerCost.Linear(spec.MlpDim, embed, tokens, bias: true);
        }

        /// <summary>
        /// encoder1 works on the image; encoder{k+1} brings the skip of stage k from the token grid to level k:
        /// one transposed convolution from E, then (n − 1 − k) pairs of transposed convolution and block.
        /// </summary>
        private static void AddEncoders(SummaryBuilder summary, UnetrSpec spec, SpatialLevels levels)
        {
            var stages = levels.Stages;
            long first = spec.Widths[0];
            summary.Add(
                "encoder1",
                "UnetrBasicBlock",
                new Part("layer", BlockKind(spec), levels.Shape(first, 0), ConvBlock(spec, levels, spec.InChannels, first, 0)));

            for (var stage = 1; stage < stages; stage++)
            {
                long width = spec.Widths[stage];
                var parts = new List<Part>
                {
                    new Part("transp_conv_init", "ConvTranspose" + levels.Suffix, levels.Shape(width, stages - 1), Up(levels, spec.EmbedDim, width, stages)),
                };
                for (var inLevel = stages - 1; inLevel > stage; inLevel--)
                {
                    var cost = Up(levels, width, width, inLevel) + ConvBlock(spec, levels, width, width, inLevel - 1);
                    var name = "blocks." + (parts.Count - 1).ToString(CultureInfo.InvariantCulture);
                    parts.Add(new Part(name, "Sequential", levels.Shape(width, inLevel - 1), cost));
                }

                summary.Add("encoder" + (stage + 1).ToString(CultureInfo.InvariantCulture), "UnetrPrUpBlock", parts.ToArray());
            }
        }

        /// <summary>decoder{k+1}, k = n … 1: upsample to level k−1, concatenate the skip, block 2·w[k−1] → w[k−1].</summary>
        private static void AddDecoders(SummaryBuilder summary, UnetrSpec spec, SpatialLevels levels)
        {
            for (var level = levels.Stages; level >= 1; level--)
            {
                long inChannels = level == levels.Stages ? spec.EmbedDim : spec.Widths[level];
                long width = spec.Widths[level - 1];
                summary.Add(
                    "decoder" + (level + 1).ToString(CultureInfo.InvariantCulture),
                    "UnetrUpBlock",
                    new Part("transp_conv", "ConvTranspose" + levels.Suffix, levels.Shape(width, level - 1), Up(levels, inChannels, width, level)),
                    new Part("conv_block", BlockKind(spec), levels.Shape(width, level - 1), ConvBlock(spec, levels, 2 * width, width, level - 1)));
            }
        }

        private static string BlockKind(UnetrSpec spec) => spec.Residual ? "UnetResBlock" : "UnetBasicBlock";

        /// <summary>
        /// conv 3×3, norm, act, conv 3×3, norm; a residual block adds a 1×1 conv and norm on the shortcut when the
        /// channel count changes.
        /// </summary>
        private static Cost ConvBlock(UnetrSpec spec, SpatialLevels levels, long inChannels, long outChannels, int level)
        {
            var voxels = levels.Voxels(level);
            var cost = LayerCost.Conv(levels, inChannels, outChannels, 3, voxels, bias: false)
                + LayerCost.DecoderNorm(spec.Norm, outChannels)
                + LayerCost.Conv(levels, outChannels, outChannels, 3, voxels, bias: false)
                + LayerCost.DecoderNorm(spec.Norm, outChannels);
            if (spec.Residual && inChannels != outChannels)
            {
                cost += LayerCost.Conv(levels, inChannels, outChannels, 1, voxels, bias: false)
                    + LayerCost.DecoderNorm(spec.Norm, outChannels);
            }

            return cost;
        }

        /// <summary>Transposed convolution without bias from <paramref name="inLevel"/> to the next finer level.</summary>
        private static Cost Up(SpatialLevels levels, long inChannels, long outChannels, int inLevel) =>
            LayerCost.ConvTranspose(levels, inChannels, outChannels, levels.Voxels(inLevel), bias: false);
    }
}
