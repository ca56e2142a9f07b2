using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using Unetr.Generators.Model;
using Unetr.Tests.Reference;

namespace Unetr.Tests.Shapes
{
    /// <summary>Hand-built specs for the cost tests, and access to the reference key files and tiny configs.</summary>
    internal static class CostSpecs
    {
        private static readonly TypeTarget Target = new TypeTarget("", EquatableArray<ContainingType>.Empty, "X");

        /// <summary>The seed document's network: 128³, 4 → 3 channels, ViT-B/16 with MLP 2048, widths 64…512, stem 32.</summary>
        public static UnetrSpec Seed128 => Seed(new[] { 128, 128, 128 }, 4, 3, 768, 12, 12, 2048, 16, new[] { 3, 6, 9, 12 }, new[] { 64, 128, 256, 512 }, 32);

        /// <summary>MONAI's BTCV configuration: 96³, 1 → 14, feature size 16, perceptron patches, instance norm, residual.</summary>
        public static UnetrSpec MonaiBtcv96 => Monai(
            new[] { 96, 96, 96 }, 1, 14, 768, 12, 12, 3072, 16, new[] { 4, 7, 10, 12 }, new[] { 16, 32, 64, 128 },
            Projection.Perceptron, Norm.Instance, residual: true, qkvBias: false);

        public static UnetrSpec Seed(
            int[] imageSize, int inChannels, int outChannels, int embed, int depth, int heads, int mlp, int patch,
            int[] extract, int[] widths, int stem, bool finalNorm = false) =>
            new UnetrSpec(
                Target, Layout.Seed, imageSize.ToEquatableArray(), imageSize.Length, inChannels, outChannels, patch,
                Projection.Conv, embed, depth, heads, mlp, extract.ToEquatableArray(), Dropout: 0, finalNorm,
                QkvBias: false, Activation.Relu, widths.ToEquatableArray(), stem, Norm.Batch, Residual: false);

        public static UnetrSpec Monai(
            int[] imageSize, int inChannels, int outChannels, int embed, int depth, int heads, int mlp, int patch,
            int[] extract, int[] widths, Projection projection, Norm norm, bool residual, bool qkvBias, bool finalNorm = true) =>
            new UnetrSpec(
                Target, Layout.Monai, imageSize.ToEquatableArray(), imageSize.Length, inChannels, outChannels, patch,
                projection, embed, depth, heads, mlp, extract.ToEquatableArray(), Dropout: 0, finalNorm, qkvBias,
                Activation.Gelu, widths.ToEquatableArray(), StemWidth: 0, norm, residual);

        /// <summary>The spec a tiny fixture's <c>.json</c> describes, and the parameter count PyTorch reported for it.</summary>
        public static (UnetrSpec Spec, long Parameters) Tiny(string layout)
        {
            using var json = JsonDocument.Parse(File.ReadAllText(ReferenceData.PathOf(layout + "_tiny.json")));
            var root = json.RootElement;
            int Int(string name) => root.GetProperty(name).GetInt32();
            int[] Ints(string name) => root.GetProperty(name).EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var parameters = root.GetProperty("params_without_cross_attention").GetInt64();
            if (layout == "seed")
            {
                var seed = Seed(Ints("img"), Int("in"), Int("out"), Int("embed"), Int("depth"), Int("heads"), Int("mlp"), Int("patch"), Ints("extract"), Ints("widths"), Int("stem"));
                return (seed, parameters);
            }

            var feature = Int("feature_size");
            var monai = Monai(
                Ints("img"), Int("in"), Int("out"), Int("embed"), Int("depth"), Int("heads"), Int("mlp"), Int("patch"), Ints("extract"),
                new[] { feature, 2 * feature, 4 * feature, 8 * feature },
                root.GetProperty("proj").GetString() == "perceptron" ? Projection.Perceptron : Projection.Conv,
                root.GetProperty("norm").GetString() == "batch" ? Norm.Batch : Norm.Instance,
                root.GetProperty("res_block").GetBoolean(),
                root.GetProperty("qkv_bias").GetBoolean(),
                root.GetProperty("final_norm").GetBoolean());
            return (monai, parameters);
        }

        /// <summary>
        /// The trainable parameters of a reference key file: name → element count, without BatchNorm buffers and
        /// without the <c>cross_attn</c> weights MONAI ≥ 1.4 creates but UNETR never calls.
        /// </summary>
        public static IReadOnlyList<KeyValuePair<string, long>> TrainableKeys(string fileName) =>
            ReferenceData.KeyFile(fileName, string.Empty)
                .Where(k => !k.Key.EndsWith(".running_mean", StringComparison.Ordinal)
                    && !k.Key.EndsWith(".running_var", StringComparison.Ordinal)
                    && !k.Key.EndsWith(".num_batches_tracked", StringComparison.Ordinal)
                    && !k.Key.Contains("cross_attn", StringComparison.Ordinal))
                .Select(k => new KeyValuePair<string, long>(k.Key, k.Shape.Aggregate(1L, (product, size) => product * size)))
                .ToList();
    }
}
