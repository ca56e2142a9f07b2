using System.Linq;
using Unetr.Generators.Model;
using Unetr.Generators.Shapes;
using Xunit;

namespace Unetr.Tests.Shapes
{
    /// <summary>Other dimensions, patch sizes and options: hand-derived counts and structural invariants.</summary>
    public class VariantCostTests
    {
        // MONAI 2D, 32×32, 1 → 2 channels, E 8, 2 blocks, MLP 16, patch 4 (2 stages), widths 2, 4, instance norm,
        // residual, conv projection, no qkv bias. N = 8·8 = 64 tokens.
        private static UnetrSpec Monai2D => CostSpecs.Monai(
            new[] { 32, 32 }, 1, 2, 8, 2, 2, 16, 4, new[] { 1, 2 }, new[] { 2, 4 }, Projection.Conv, Norm.Instance, residual: true, qkvBias: false);

        // Seed 2D, 16×16, 1 → 2 channels, E 4, 3 blocks, MLP 8, patch 8 (3 stages), extract 1, 2, 3, widths 2, 4, 8,
        // stem 1. N = 2·2 = 4 tokens.
        private static UnetrSpec Seed2DPatch8 => CostSpecs.Seed(
            new[] { 16, 16 }, 1, 2, 4, 3, 2, 8, 8, new[] { 1, 2, 3 }, new[] { 2, 4, 8 }, 1);

        private static UnetrSpec SeedPatch32 => CostSpecs.Seed(
            new[] { 64, 64, 64 }, 1, 2, 32, 5, 4, 64, 32, new[] { 1, 2, 3, 4, 5 }, new[] { 2, 4, 8, 16, 32 }, 1);

        private static UnetrSpec MonaiPatch32 => CostSpecs.Monai(
            new[] { 64, 64, 64 }, 1, 2, 32, 5, 4, 64, 32, new[] { 1, 2, 3, 4, 5 }, new[] { 2, 4, 8, 16, 32 },
            Projection.Perceptron, Norm.Batch, residual: false, qkvBias: true);

        [Fact]
        public void Monai_2D_parameters_match_a_hand_count()
        {
            // patch conv 8·1·4² + 8 = 136, position 64·8 = 512
            // block: norms 2·16 = 32, qkv 8·24 = 192, out_proj 64 + 8 = 72, linear1 8·16 + 16 = 144, linear2 16·8 + 8 = 136
            //        = 576, × 2 blocks = 1152; vit.norm 16
            // encoder1 res block 1 → 2: conv1 2·1·9 = 18, conv2 2·2·9 = 36, conv3 2·1 = 2 → 56
            // encoder2: transposed conv 8 → 4, 8·4·2² = 128 (no pairs at 2 stages)
            // decoder3: transposed conv 8 → 4 = 128, block 8 → 4: 288 + 144 + 32 = 464 → 592
            // decoder2: transposed conv 4 → 2 = 32, block 4 → 2: 72 + 36 + 8 = 116 → 148
            // out: 2·2 + 2 = 6
            Assert.Equal(136 + 512 + 1152 + 16 + 56 + 128 + 592 + 148 + 6, NetworkCost.Compute(Monai2D).Parameters);
        }

        [Fact]
        public void Monai_2D_MACs_match_a_hand_count()
        {
            // patch conv 128 × 64 tokens = 8192
            // block: Linear weights 192 + 64 + 128 + 128 = 512 per token × 64 = 32768, attention 2·64·64·8 = 65536
            //        = 98304, × 2 = 196608
            // encoder1 56 × 32² = 57344; encoder2 128 × 4² ... = 128 × 64 input pixels = 8192
            // decoder3 128 × 64 + 464 × 16² = 8192 + 118784; decoder2 32 × 16² + 116 × 32² = 8192 + 118784
            // out 4 × 32² = 4096
            Assert.Equal(8192 + 196608 + 57344 + 8192 + 8192 + 118784 + 8192 + 118784 + 4096, NetworkCost.Compute(Monai2D).Macs);
        }

        [Fact]
        public void Seed_2D_patch_8_parameters_match_a_hand_count()
        {
            // transformer: patch conv 4·1·8² + 4 = 260, position 16; block 16 + 4·20 + 40 + 36 = 172, × 3 = 516;
            //              encoder_norm 8 → 800
            // decoder3_upsampler: transposed conv 4 → 8, 4·8·4 + 8 = 136
            // decoder2 (one deconv block): 136 + conv 8·8·9 + 8 + BN 16 = 736
            // decoder2_upsampler: 16 → 8: 1152 + 8 + 16 = 1176; 8 → 8: 600; transposed 8 → 4: 132 → 1908
            // decoder1 (two deconv blocks): 736 + 132 + conv 4·4·9 + 4 + BN 8 = 736 + 288 = 1024
            // decoder1_upsampler: 8 → 4: 288 + 4 + 8 = 300; 4 → 4: 156; transposed 4 → 2: 34 → 490
            // decoder0: 1 → 1: 9 + 1 + 2 = 12; 1 → 2: 18 + 2 + 4 = 24 → 36
            // decoder0_header: 4 → 2: 78; 2 → 2: 42; 1×1 2 → 2: 6 → 126
            Assert.Equal(800 + 136 + 736 + 1908 + 1024 + 490 + 36 + 126, NetworkCost.Compute(Seed2DPatch8).Parameters);
        }

        [Fact]
        public void Seed_patch_8_has_three_stages_with_chains_named_after_the_extract_layers()
        {
            var rows = NetworkCost.Compute(Seed2DPatch8).Rows;

            Assert.Equal(
                new[] { "transformer", "decoder3_upsampler", "decoder2", "decoder2_upsampler", "decoder1", "decoder1_upsampler", "decoder0", "decoder0_header" },
                rows.Where(r => r.Depth == 0).Select(r => r.Name));
            Assert.Contains(rows, r => r.Name == "decoder2.block" && r.Depth == 1);
            Assert.Contains(rows, r => r.Name == "decoder1.1" && r.OutputShape == new long[] { 4, 8, 8 }.ToEquatableArray());
            Assert.Equal(new long[] { 2, 16, 16 }.ToEquatableArray(), rows.Last(r => r.Depth == 0).OutputShape);
        }

        [Fact]
        public void Seed_patch_32_has_five_stages_and_counts_agree_with_an_independent_derivation()
        {
            // 64³ / 32 → 2³ = 8 tokens. Expected values were derived by a separate script from the layer rules, not by
            // this code; the transformer part by hand: patch 32·32768 + 32 + position 256 = 1,048,864; block
            // 2·64 + 4·(1024 + 32) + 2048 + 64 + 2048 + 32 = 8,544, × 5 = 42,720; encoder_norm 64.
            var report = NetworkCost.Compute(SeedPatch32);

            Assert.Equal(1_048_864 + 42_720 + 64, report.Rows.Single(r => r.Name == "transformer").Parameters);
            Assert.Equal(1_399_654, report.Parameters);
            Assert.Equal(248_729_600, report.Macs);
            Assert.Equal(
                new[]
                {
                    "transformer", "decoder5_upsampler", "decoder4", "decoder4_upsampler", "decoder3", "decoder3_upsampler",
                    "decoder2", "decoder2_upsampler", "decoder1", "decoder1_upsampler", "decoder0", "decoder0_header",
                },
                report.Rows.Where(r => r.Depth == 0).Select(r => r.Name));
            Assert.Equal(4, report.Rows.Count(r => r.Name.StartsWith("decoder1.", System.StringComparison.Ordinal)));
        }

        [Fact]
        public void Monai_patch_32_has_five_encoders_and_counts_agree_with_an_independent_derivation()
        {
            var report = NetworkCost.Compute(MonaiPatch32);

            Assert.Equal(1_258_508, report.Parameters);
            Assert.Equal(277_254_144, report.Macs);
            Assert.Equal(
                new[] { "vit", "encoder1", "encoder2", "encoder3", "encoder4", "encoder5", "decoder6", "decoder5", "decoder4", "decoder3", "decoder2", "out" },
                report.Rows.Where(r => r.Depth == 0).Select(r => r.Name));
            Assert.Equal(
                new[] { "encoder2.transp_conv_init", "encoder2.blocks.0", "encoder2.blocks.1", "encoder2.blocks.2" },
                report.Rows.Where(r => r.Name.StartsWith("encoder2.", System.StringComparison.Ordinal)).Select(r => r.Name));
        }

        [Fact]
        public void Rows_add_up_to_the_totals()
        {
            foreach (var spec in new[] { CostSpecs.Seed128, CostSpecs.MonaiBtcv96, Monai2D, Seed2DPatch8, SeedPatch32, MonaiPatch32 })
            {
                var report = NetworkCost.Compute(spec);
                var top = report.Rows.Where(r => r.Depth == 0).ToList();
                Assert.Equal(report.Parameters, top.Sum(r => r.Parameters));
                Assert.Equal(report.Macs, top.Sum(r => r.Macs));
                Assert.Equal(report.Parameters, report.Rows.Where(r => r.Depth == 1).Sum(r => r.Parameters));
                Assert.Equal(report.Macs, report.Rows.Where(r => r.Depth == 1).Sum(r => r.Macs));
            }
        }

        [Fact]
        public void Qkv_bias_adds_three_embed_widths_per_block()
        {
            var without = NetworkCost.Compute(CostSpecs.MonaiBtcv96);
            var with = NetworkCost.Compute(CostSpecs.MonaiBtcv96 with { QkvBias = true });

            Assert.Equal(12 * 3 * 768, with.Parameters - without.Parameters);
            Assert.Equal(without.Macs, with.Macs);
        }

        [Fact]
        public void Applying_the_seed_final_norm_costs_torchinfo_its_weight_but_no_parameters()
        {
            var skipped = NetworkCost.Compute(CostSpecs.Seed128);
            var applied = NetworkCost.Compute(CostSpecs.Seed128 with { FinalNorm = true });

            Assert.Equal(skipped.Parameters, applied.Parameters);
            Assert.Equal(768, applied.TorchinfoMacs - skipped.TorchinfoMacs);
        }

        [Fact]
        public void Perceptron_and_conv_projections_cost_the_same_except_to_torchinfo()
        {
            var conv = NetworkCost.Compute(CostSpecs.MonaiBtcv96 with { Projection = Projection.Conv });
            var perceptron = NetworkCost.Compute(CostSpecs.MonaiBtcv96);

            Assert.Equal(conv.Parameters, perceptron.Parameters);
            Assert.Equal(conv.Macs, perceptron.Macs);
            // torchinfo multiplies the conv weight (768·16³) by the 216 output voxels but counts the Linear's once.
            Assert.Equal(768L * 4096 * 215, conv.TorchinfoMacs - perceptron.TorchinfoMacs);
        }

        [Fact]
        public void Batch_norm_adds_weight_and_bias_per_channel_over_instance_norm()
        {
            var instance = NetworkCost.Compute(Monai2D);
            var batch = NetworkCost.Compute(Monai2D with { Norm = Norm.Batch });

            // norms: encoder1 3 × 2; decoder3 3 × 4; decoder2 3 × 2 channels = 24 channels, 2 parameters each
            Assert.Equal(48, batch.Parameters - instance.Parameters);
            Assert.Equal(instance.Macs, batch.Macs);
        }

        [Fact]
        public void Plain_blocks_drop_only_the_shortcut_convolutions()
        {
            var residual = NetworkCost.Compute(Monai2D);
            var plain = NetworkCost.Compute(Monai2D with { Residual = false });

            // shortcuts 1 → 2 (2), 8 → 4 (32) and 4 → 2 (8); the 1×1 conv runs at 32², 16² and 32²
            Assert.Equal(42, residual.Parameters - plain.Parameters);
            Assert.Equal((2 * 1024) + (32 * 256) + (8 * 1024), residual.Macs - plain.Macs);
        }
    }
}
