using System.Collections.Generic;
using System.Globalization;
using Unetr.Generators.Model;
using static Unetr.Generators.Describe.DescriptorBuilder;

namespace Unetr.Generators.Describe
{
    /// <summary>
    /// The seed ("tamasino52") layout: <c>transformer</c>, then a decoder whose modules are named after the block each
    /// skip comes from (<c>decoder3</c>, <c>decoder12_upsampler</c>, …). Every convolution has a bias and every 3×3
    /// convolution is followed by BatchNorm. Levels: 0 is the full image, n the token grid.
    /// </summary>
    internal static class SeedDescriber
    {
        private static readonly BlockType Transformer = Block("SeedTransformer");
        private static readonly BlockType ConvBlockType = Block("ConvBlock");
        private static readonly BlockType DeconvBlockType = Block("DeconvBlock");
        private static readonly BlockType SingleDeconvBlockType = Block("SingleDeconvBlock");
        private static readonly BlockType SingleConvBlockType = Block("SingleConvBlock");

        public static NetworkDescriptor Describe(UnetrSpec spec)
        {
            var b = new DescriptorBuilder(spec);
            var n = spec.Stages;
            var w = spec.Widths;
            var levels = b.Levels;

            // Construction order is the seed's __init__ order, which fixes the state_dict order and the initialisation.
            b.Add(TransformerModule(b));
            b.Add(Sequential(
                "decoder0",
                ConvBlock(b, "0", spec.InChannels, spec.StemWidth, 0),
                ConvBlock(b, "1", spec.StemWidth, w[0], 0)));
            for (var stage = 1; stage < n; stage++)
            {
                b.Add(SkipChain(b, stage));
            }

            b.Add(Module(
                Upsampler(spec, n),
                SingleDeconvBlockType.Name,
                SingleDeconvBlockType,
                Channels(spec, spec.EmbedDim, w[n - 1]),
                Part("block", "ConvTranspose" + levels.Suffix, levels.Shape(w[n - 1], n - 1), Deconv(levels, spec.EmbedDim, w[n - 1], n))));
            for (var stage = n - 1; stage >= 1; stage--)
            {
                b.Add(Sequential(
                    Upsampler(spec, stage),
                    ConvBlock(b, "0", 2L * w[stage], w[stage], stage),
                    ConvBlock(b, "1", w[stage], w[stage], stage),
                    Constructed("2", SingleDeconvBlockType, Channels(spec, w[stage], w[stage - 1]), levels.Shape(w[stage - 1], stage - 1), Deconv(levels, w[stage], w[stage - 1], stage))));
            }

            b.Add(Sequential(
                "decoder0_header",
                ConvBlock(b, "0", 2L * w[0], w[0], 0),
                ConvBlock(b, "1", w[0], w[0], 0),
                Constructed(
                    "2",
                    SingleConvBlockType,
                    Arguments(Arg("spatialDims", spec.SpatialDims), Arg("inChannels", w[0]), Arg("outChannels", spec.OutChannels), Arg("kernel", 1)),
                    levels.Shape(spec.OutChannels, 0),
                    LayerCost.Conv(levels, w[0], spec.OutChannels, 1, levels.Voxels(0), bias: true))));

            // Forward: the deepest skip first, then each shallower skip concatenated with the upsampled path.
            b.Encode("transformer");
            for (var stage = 1; stage <= n; stage++)
            {
                b.ToVolume(Hidden(spec, stage), stage - 1);
            }

            var up = b.Call(Upsampler(spec, n), Hidden(spec, n));
            for (var stage = n - 1; stage >= 1; stage--)
            {
                var skip = b.Call(Skip(spec, stage), Hidden(spec, stage));
                up = b.CallOnConcatenation(Upsampler(spec, stage), skip, up);
            }

            var stem = b.Call("decoder0", Input);
            b.CallOnConcatenation("decoder0_header", stem, up);
            return b.Build();
        }

        private static ModuleNode TransformerModule(DescriptorBuilder b)
        {
            var spec = b.Spec;
            long embed = spec.EmbedDim;
            return b.TransformerEncoder(
                "transformer",
                "Transformer",
                Transformer,
                b.EncoderArguments(
                    Arg("spatialDims", spec.SpatialDims),
                    Arg("inChannels", spec.InChannels),
                    Longs("imageSize", spec.ImageSize),
                    Arg("patchSize", spec.PatchSize),
                    Arg("embedDim", spec.EmbedDim),
                    Arg("depth", spec.Depth),
                    Arg("heads", spec.Heads),
                    Arg("mlpDim", spec.MlpDim),
                    Arg("extractLayers", spec.ExtractLayers),
                    Arg("dropout", spec.Dropout),
                    Enum("activation", "MlpActivation", spec.Activation),
                    Arg("finalNorm", spec.FinalNorm)),
                new EncoderParts("embeddings", "Embeddings", "layer", "Block", "encoder_norm"),
                // Separate query, key, value and out projections, all with bias.
                LayerCost.Linear(embed, embed, b.Levels.Tokens, bias: true).Times(4));
        }

        /// <summary>
        /// The skip of <paramref name="stage"/>: deconv blocks from the token grid up to the stage's level,
        /// E → w[n−1] → … → w[stage]. A chain of one is the block itself (<c>decoder9.block.…</c>), a longer chain a
        /// Sequential (<c>decoder3.0.block.…</c>).
        /// </summary>
        private static ModuleNode SkipChain(DescriptorBuilder b, int stage)
        {
            var spec = b.Spec;
            var levels = b.Levels;
            var chain = new List<ModuleNode>();
            long inChannels = spec.EmbedDim;
            for (var inLevel = spec.Stages; inLevel > stage; inLevel--)
            {
                long outChannels = spec.Widths[inLevel - 1];
                var cost = Deconv(levels, inChannels, outChannels, inLevel) + ConvBlockCost(levels, outChannels, outChannels, inLevel - 1);
                chain.Add(Constructed(chain.Count.ToString(CultureInfo.InvariantCulture), DeconvBlockType, Channels(spec, inChannels, outChannels), levels.Shape(outChannels, inLevel - 1), cost));
                inChannels = outChannels;
            }

            var name = Skip(spec, stage);
            if (chain.Count > 1)
            {
                return Sequential(name, chain.ToArray());
            }

            var only = chain[0];
            return Module(name, DeconvBlockType.Name, DeconvBlockType, only.Arguments, Part("block", "Sequential", only.OutputShape, only.Cost));
        }

        /// <summary>A 3×3 convolution with bias, BatchNorm and ReLU at <paramref name="level"/>, as part <paramref name="name"/>.</summary>
        private static ModuleNode ConvBlock(DescriptorBuilder b, string name, long inChannels, long outChannels, int level) =>
            Constructed(name, ConvBlockType, Channels(b.Spec, inChannels, outChannels), b.Levels.Shape(outChannels, level), ConvBlockCost(b.Levels, inChannels, outChannels, level));

        private static Cost ConvBlockCost(SpatialLevels levels, long inChannels, long outChannels, int level) =>
            LayerCost.Conv(levels, inChannels, outChannels, 3, levels.Voxels(level), bias: true)
            + LayerCost.DecoderNorm(Norm.Batch, outChannels);

        /// <summary>Transposed convolution with bias from <paramref name="inLevel"/> to the next finer level.</summary>
        private static Cost Deconv(SpatialLevels levels, long inChannels, long outChannels, int inLevel) =>
            LayerCost.ConvTranspose(levels, inChannels, outChannels, levels.Voxels(inLevel), bias: true);

        private static EquatableArray<Argument> Channels(UnetrSpec spec, long inChannels, long outChannels) =>
            Arguments(Arg("spatialDims", spec.SpatialDims), Arg("inChannels", inChannels), Arg("outChannels", outChannels));

        /// <summary>The 1-based transformer block that feeds the skip of <paramref name="stage"/> (stage n: the deepest).</summary>
        private static string Layer(UnetrSpec spec, int stage) => spec.ExtractLayers[stage - 1].ToString(CultureInfo.InvariantCulture);

        private static string Hidden(UnetrSpec spec, int stage) => "hidden" + Layer(spec, stage);

        private static string Skip(UnetrSpec spec, int stage) => "decoder" + Layer(spec, stage);

        private static string Upsampler(UnetrSpec spec, int stage) => Skip(spec, stage) + "_upsampler";

        private static BlockType Block(string name) => new BlockType("Seed", name);
    }
}
