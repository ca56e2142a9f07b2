using System.Linq;
using Unetr.Generators.Model;
using Unetr.Generators.Shapes;
using Xunit;

namespace Unetr.Tests.Shapes
{
    /// <summary>The parameter arithmetic against every key and shape of the reference state dicts.</summary>
    public class KeyFileCostTests
    {
        [Fact]
        public void Seed_parameters_equal_the_sum_of_its_state_dict_shapes_without_buffers()
        {
            var keys = CostSpecs.TrainableKeys("seed_128.keys.tsv");

            Assert.Equal(keys.Sum(k => k.Value), NetworkCost.Compute(CostSpecs.Seed128).Parameters);
        }

        [Fact]
        public void Monai_parameters_equal_the_sum_of_its_state_dict_shapes_without_buffers_or_cross_attention()
        {
            var keys = CostSpecs.TrainableKeys("monai_btcv_96.keys.tsv");

            Assert.Equal(keys.Sum(k => k.Value), NetworkCost.Compute(CostSpecs.MonaiBtcv96).Parameters);
        }

        [Theory]
        [InlineData("seed")]
        [InlineData("monai")]
        public void Every_summary_row_owns_exactly_the_parameters_under_its_state_dict_prefix(string layout)
        {
            var (report, keys) = layout == "seed"
                ? (NetworkCost.Compute(CostSpecs.Seed128), CostSpecs.TrainableKeys("seed_128.keys.tsv"))
                : (NetworkCost.Compute(CostSpecs.MonaiBtcv96), CostSpecs.TrainableKeys("monai_btcv_96.keys.tsv"));

            foreach (var row in report.Rows)
            {
                var expected = keys.Where(k => k.Key.StartsWith(row.Name + ".", System.StringComparison.Ordinal)).Sum(k => k.Value);
                Assert.True(expected == row.Parameters, $"{row.Name}: state dict has {expected}, summary says {row.Parameters}");
            }
        }

        [Theory]
        [InlineData("seed")]
        [InlineData("monai")]
        public void Top_level_rows_are_exactly_the_state_dict_modules(string layout)
        {
            var (report, keys) = layout == "seed"
                ? (NetworkCost.Compute(CostSpecs.Seed128), CostSpecs.TrainableKeys("seed_128.keys.tsv"))
                : (NetworkCost.Compute(CostSpecs.MonaiBtcv96), CostSpecs.TrainableKeys("monai_btcv_96.keys.tsv"));

            var modules = keys.Select(k => k.Key.Split('.')[0]).Distinct().OrderBy(n => n, System.StringComparer.Ordinal);
            var rows = report.Rows.Where(r => r.Depth == 0).Select(r => r.Name).OrderBy(n => n, System.StringComparer.Ordinal);

            Assert.Equal(modules, rows);
        }

        [Fact]
        public void Seed_rows_follow_the_forward_order_with_shapes_per_sample()
        {
            var rows = NetworkCost.Compute(CostSpecs.Seed128).Rows.Where(r => r.Depth == 0).ToList();

            Assert.Equal(
                new[]
                {
                    "transformer", "decoder12_upsampler", "decoder9", "decoder9_upsampler", "decoder6", "decoder6_upsampler",
                    "decoder3", "decoder3_upsampler", "decoder0", "decoder0_header",
                },
                rows.Select(r => r.Name));
            Assert.Equal(Shape(512, 768), rows[0].OutputShape);
            Assert.Equal(Shape(512, 16, 16, 16), rows[1].OutputShape);
            Assert.Equal(Shape(256, 32, 32, 32), rows[3].OutputShape);
            Assert.Equal(Shape(128, 64, 64, 64), rows[6].OutputShape);
            Assert.Equal(Shape(3, 128, 128, 128), rows[9].OutputShape);
        }

        [Fact]
        public void Monai_rows_follow_the_forward_order_with_shapes_per_sample()
        {
            var rows = NetworkCost.Compute(CostSpecs.MonaiBtcv96).Rows.Where(r => r.Depth == 0).ToList();

            Assert.Equal(
                new[] { "vit", "encoder1", "encoder2", "encoder3", "encoder4", "decoder5", "decoder4", "decoder3", "decoder2", "out" },
                rows.Select(r => r.Name));
            Assert.Equal(Shape(216, 768), rows[0].OutputShape);
            Assert.Equal(Shape(16, 96, 96, 96), rows[1].OutputShape);
            Assert.Equal(Shape(32, 48, 48, 48), rows[2].OutputShape);
            Assert.Equal(Shape(128, 12, 12, 12), rows[4].OutputShape);
            Assert.Equal(Shape(128, 12, 12, 12), rows[5].OutputShape);
            Assert.Equal(Shape(14, 96, 96, 96), rows[9].OutputShape);
        }

        private static EquatableArray<long> Shape(params long[] sizes) => sizes.ToEquatableArray();
    }
}
