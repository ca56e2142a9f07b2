using System.Collections.Generic;
using System.Globalization;
using Unetr.Generators.Model;
using static Unetr.Generators.Describe.DescriptorBuilder;

namespace Unetr.Generators.Describe
{
    /// <summary>
    /// MONAI's <c>UNETR</c>: <c>vit</c>, <c>encoder1</c> … <c>encoder{n}</c> that bring the skips to their resolution,
    /// <c>decoder{n+1}</c> … <c>decoder2</c>, <c>out</c>. Convolutions have no bias except the final 1×1; the unused
    /// <c>cross_attn</c> weights of MONAI ≥ 1.4 are not part of the network. Levels: 0 is the full image, n the token grid.
    /// </summary>
    internal static class MonaiDescriber
    {
        private static readonly BlockType Vit = Block("ViT");
        private static readonly BlockType BasicBlock = Block("UnetrBasicBlock");
        private static readonly BlockType PrUpBlock = Block("UnetrPrUpBlock");
        private static readonly BlockType UpBlock = Block("UnetrUpBlock");
        private static readonly BlockType OutBlock = Block("UnetOutBlock");

        public static NetworkDescriptor Describe(UnetrSpec spec)
        {
            var b = new DescriptorBuilder(spec);
            var n = spec.Stages;
            var w = spec.Widths;
            var levels = b.Levels;

            b.Add(VitModule(b));
            b.Add(Module(
                "encoder1",
                BasicBlock.Name,
                BasicBlock,
                DecoderBlockArguments(spec, spec.InChannels, w[0]),
                Part("layer", ConvBlockKind(spec), levels.Shape(w[0], 0), ConvBlock(spec, levels, spec.InChannels, w[0], 0))));
            for (var stage = 1; stage < n; stage++)
            {
                b.Add(Encoder(spec, levels, stage));
            }

            for (var level = n; level >= 1; level--)
            {
                long inChannels = level == n ? spec.EmbedDim : w[level];
                long width = w[level - 1];
                b.Add(Module(
                    Decoder(level),
                    UpBlock.Name,
                    UpBlock,
                    DecoderBlockArguments(spec, inChannels, width),
                    Part("transp_conv", "ConvTranspose" + levels.Suffix, levels.Shape(width, level - 1), Up(levels, inChannels, width, level)),
                    Part("conv_block", ConvBlockKind(spec), levels.Shape(width, level - 1), ConvBlock(spec, levels, 2 * width, width, level - 1))));
            }

            b.Add(Module(
                "out",
                OutBlock.Name,
                OutBlock,
                Arguments(Arg("spatialDims", spec.SpatialDims), Arg("inChannels", w[0]), Arg("outChannels", spec.OutChannels)),
                Part("conv", "Conv" + levels.Suffix, levels.Shape(spec.OutChannels, 0), LayerCost.Conv(levels, w[0], spec.OutChannels, 1, levels.Voxels(0), bias: true))));

            // Forward: every skip from the tokens, then the decoders from the deepest up, each with its skip.
            b.Encode("vit");
            var skips = new List<string> { b.Call("encoder1", Input) };
            for (var stage = 1; stage < n; stage++)
            {
                skips.Add(b.CallOnVolume(Encoder(stage), stage - 1));
            }

            var previous = b.ToVolume("deepest", n - 1);
            for (var level = n; level >= 1; level--)
            {
                previous = b.Call(Decoder(level), previous, skips[level - 1]);
            }

            b.Call("out", previous);
            return b.Build();
        }

        private static ModuleNode VitModule(DescriptorBuilder b)
        {
            var spec = b.Spec;
            long embed = spec.EmbedDim;
            return b.TransformerEncoder(
                "vit",
                Vit.Name,
                Vit,
                b.EncoderArguments(
                    Arg("spatialDims", spec.SpatialDims),
                    Arg("inChannels", spec.InChannels),
                    Longs("imageSize", spec.ImageSize),
                    Arg("patchSize", spec.PatchSize),
                    Arg("hiddenSize", spec.EmbedDim),
                    Arg("mlpDim", spec.MlpDim),
                    Arg("depth", spec.Depth),
                    Arg("heads", spec.Heads),
                    Enum("projection", "PatchProjection", spec.Projection),
                    Arg("dropout", spec.Dropout),
                    Arg("qkvBias", spec.QkvBias),
                    Enum("activation", "MlpActivation", spec.Activation),
                    Arg("finalNorm", spec.FinalNorm),
                    Arg("extractLayers", spec.ExtractLayers)),
                new EncoderParts("patch_embedding", "PatchEmbeddingBlock", "blocks", "TransformerBlock", "norm"),
                // Fused qkv (bias optional) and out_proj with bias.
                LayerCost.Linear(embed, 3 * embed, b.Levels.Tokens, spec.QkvBias) + LayerCost.Linear(embed, embed, b.Levels.Tokens, bias: true));
        }

        /// <summary>
        /// encoder{stage+1} brings the skip of <paramref name="stage"/> from the token grid to its level: one transposed
        /// convolution from E, then (n − 1 − stage) pairs of transposed convolution and block.
        /// </summary>
        private static ModuleNode Encoder(UnetrSpec spec, SpatialLevels levels, int stage)
        {
            var n = spec.Stages;
            long width = spec.Widths[stage];
            var parts = new List<ModuleNode>
            {
                Part("transp_conv_init", "ConvTranspose" + levels.Suffix, levels.Shape(width, n - 1), Up(levels, spec.EmbedDim, width, n)),
            };
            for (var inLevel = n - 1; inLevel > stage; inLevel--)
            {
                var cost = Up(levels, width, width, inLevel) + ConvBlock(spec, levels, width, width, inLevel - 1);
                var name = "blocks." + (parts.Count - 1).ToString(CultureInfo.InvariantCulture);
                parts.Add(Part(name, "Sequential", levels.Shape(width, inLevel - 1), cost));
            }

            var arguments = Arguments(
                Arg("spatialDims", spec.SpatialDims),
                Arg("inChannels", spec.EmbedDim),
                Arg("outChannels", width),
                Arg("extraUpsamples", n - 1 - stage),
                Enum("norm", "NormKind", spec.Norm),
                Arg("residual", spec.Residual));
            return Module(Encoder(stage), PrUpBlock.Name, PrUpBlock, arguments, parts.ToArray());
        }

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

        private static EquatableArray<Argument> DecoderBlockArguments(UnetrSpec spec, long inChannels, long outChannels) =>
            Arguments(
                Arg("spatialDims", spec.SpatialDims),
                Arg("inChannels", inChannels),
                Arg("outChannels", outChannels),
                Enum("norm", "NormKind", spec.Norm),
                Arg("residual", spec.Residual));

        private static string ConvBlockKind(UnetrSpec spec) => spec.Residual ? "UnetResBlock" : "UnetBasicBlock";

        private static string Encoder(int stage) => "encoder" + (stage + 1).ToString(CultureInfo.InvariantCulture);

        /// <summary>decoder{level+1} upsamples from <paramref name="level"/> to level − 1.</summary>
        private static string Decoder(int level) => "decoder" + (level + 1).ToString(CultureInfo.InvariantCulture);

        private static BlockType Block(string name) => new BlockType("Monai", name);
    }
}
