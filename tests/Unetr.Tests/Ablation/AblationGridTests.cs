using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using TorchSharp;
using Unetr.Measurement.Ablation;
using Unetr.Model.Presets;
using Xunit;

namespace Unetr.Tests.Ablation;

public sealed class AblationGridTests
{
    // A MONAI transformer block of width E and MLP width M: two LayerNorms (2E each), qkv without bias (3E²), the output
    // projection (E² + E) and the MLP (E·M + M + M·E + E).
    private static long MonaiBlockParameters(long e, long m) => 4 * e * e + 2 * e * m + 6 * e + m;

    private static AblationVariant Baseline => AblationGrid.All[0];

    private static AblationVariant Named(string name) => AblationGrid.All.Single(v => v.Name == name);

    private static IReadOnlyList<long> Stage(AblationVariant variant, string stage) => variant.Stages.Single(s => s.Name == stage).Shape;

    [Fact]
    public void Grid_has_the_baseline_first_and_varies_every_factor_the_issue_lists()
    {
        var counts = AblationGrid.All.GroupBy(v => v.Factor).ToDictionary(g => g.Key, g => g.Count());

        Assert.Equal(AblationFactor.Baseline, Baseline.Factor);
        Assert.Equal(
            new Dictionary<AblationFactor, int>
            {
                [AblationFactor.Baseline] = 1,
                [AblationFactor.PatchSize] = 2,
                [AblationFactor.Depth] = 1,
                [AblationFactor.EmbedDim] = 1,
                [AblationFactor.DecoderWidths] = 2,
                [AblationFactor.Norm] = 1,
                [AblationFactor.Blocks] = 1,
                [AblationFactor.Layout] = 1,
            },
            counts);
        Assert.Equal(AblationGrid.All.Count, AblationGrid.All.Select(v => v.Name).Distinct().Count());
    }

    [Fact]
    public void Every_variant_takes_the_embedded_datasets_volumes()
    {
        Assert.All(AblationGrid.All, v =>
        {
            Assert.Equal(new long[] { 1, 32, 32, 32 }, v.InputShape);
            Assert.Equal(new long[] { 3, 32, 32, 32 }, v.OutputShape);
            Unetr.CommandLine.Ablation.AblationJobRunner.RequireSyntheticShape(new Unetr.Model.Presets.Preset(v.Name, v.Summary, v.Create, v.OutputShape));
        });
    }

    [Fact]
    public void Baseline_has_eight_tokens_of_384_and_six_blocks()
    {
        Assert.Equal(new long[] { 384, 2, 2, 2 }, Stage(Baseline, "deepest"));
        var blocks = Baseline.Summary.Rows.Single(r => r.Name == "vit.blocks");
        Assert.Equal(6 * MonaiBlockParameters(384, 1536), blocks.Parameters);
    }

    [Theory]
    [InlineData(nameof(AblationBaseline.PatchSize8), 4, 3)]
    [InlineData(nameof(AblationBaseline.PatchSize32), 1, 5)]
    public void Patch_variants_change_the_token_grid_and_the_decoder_stages(string name, long grid, int stages)
    {
        var variant = Named(name);

        Assert.Equal(new long[] { 384, grid, grid, grid }, Stage(variant, "deepest"));
        Assert.Equal(stages, variant.Stages.Count(s => s.Name.StartsWith("encoder", StringComparison.Ordinal)));
        Assert.Equal(4, Baseline.Stages.Count(s => s.Name.StartsWith("encoder", StringComparison.Ordinal)));
    }

    [Fact]
    public void Depth_12_adds_exactly_six_transformer_blocks()
    {
        var variant = Named(nameof(AblationBaseline.Depth12));

        Assert.Equal(6 * MonaiBlockParameters(384, 1536), variant.Summary.Parameters - Baseline.Summary.Parameters);
        Assert.Equal(Baseline.Stages.Select(s => s.Shape), variant.Stages.Select(s => s.Shape));
    }

    [Fact]
    public void Embed_768_widens_the_tokens_and_has_more_parameters_than_384()
    {
        var variant = Named(nameof(AblationBaseline.EmbedDim768));

        Assert.Equal(new long[] { 768, 2, 2, 2 }, Stage(variant, "deepest"));
        Assert.Equal(6 * MonaiBlockParameters(768, 3072), variant.Summary.Rows.Single(r => r.Name == "vit.blocks").Parameters);
        Assert.True(variant.Summary.Parameters > Baseline.Summary.Parameters);
        Assert.True(variant.Summary.MultiplyAccumulates > Baseline.Summary.MultiplyAccumulates);
    }

    [Theory]
    [InlineData(nameof(AblationBaseline.Widths4_8_16_32), 4)]
    [InlineData(nameof(AblationBaseline.Widths16_32_64_128), 16)]
    public void Width_variants_scale_the_decoder(string name, long firstWidth)
    {
        var variant = Named(name);
        var fewer = firstWidth < 8;

        Assert.Equal(new long[] { firstWidth, 32, 32, 32 }, Stage(variant, "encoder1"));
        Assert.Equal(new long[] { 8, 32, 32, 32 }, Stage(Baseline, "encoder1"));
        Assert.Equal(fewer, variant.Summary.Parameters < Baseline.Summary.Parameters);
        Assert.Equal(fewer, variant.Summary.MultiplyAccumulates < Baseline.Summary.MultiplyAccumulates);
    }

    [Fact]
    public void Batch_norm_adds_affine_parameters_and_running_statistics()
    {
        var variant = Named(nameof(AblationBaseline.NormBatch));
        using var batch = variant.Create();
        using var instance = Baseline.Create();

        Assert.True(variant.Summary.Parameters > Baseline.Summary.Parameters);
        Assert.Contains(batch.state_dict().Keys, key => key.EndsWith("running_mean", StringComparison.Ordinal));
        Assert.DoesNotContain(instance.state_dict().Keys, key => key.EndsWith("running_mean", StringComparison.Ordinal));
    }

    [Fact]
    public void Plain_blocks_drop_the_residual_projections()
    {
        var variant = Named(nameof(AblationBaseline.ResidualFalse));

        Assert.True(variant.Summary.Parameters < Baseline.Summary.Parameters);
        Assert.Equal(Baseline.Stages.Select(s => s.Shape), variant.Stages.Select(s => s.Shape));
    }

    [Fact]
    public void Seed_layout_variant_has_the_seed_modules()
    {
        var variant = Named(nameof(AblationBaseline.LayoutSeed));

        Assert.Contains(variant.Summary.Rows, r => r.Name == "transformer");
        Assert.DoesNotContain(variant.Summary.Rows, r => r.Name == "vit");
        Assert.Contains(Baseline.Summary.Rows, r => r.Name == "vit");
    }

    /// <summary>
    /// The parameter counts of the ten hand-declared classes the grid had before it became one [Sweep] declaration, as
    /// their generated ParameterCount constants read (AblationBaseline, AblationPatch8, … AblationSeedLayout).
    /// </summary>
    [Theory]
    [InlineData(nameof(AblationBaseline), 13327867L, 594313216L)]
    [InlineData(nameof(AblationBaseline.PatchSize8), 11242491L, 1159987200L)]
    [InlineData(nameof(AblationBaseline.PatchSize32), 26683771L, 546836992L)]
    [InlineData(nameof(AblationBaseline.Depth12), 23967739L, 679542784L)]
    [InlineData(nameof(AblationBaseline.EmbedDim768), 47319163L, 866320384L)]
    [InlineData(nameof(AblationBaseline.Widths4_8_16_32), 12629919L, 225050624L)]
    [InlineData(nameof(AblationBaseline.Widths16_32_64_128), 15578739L, 2058911744L)]
    [InlineData(nameof(AblationBaseline.NormBatch), 13328891L, 594313216L)]
    [InlineData(nameof(AblationBaseline.ResidualFalse), 13316979L, 586186752L)]
    [InlineData(nameof(AblationBaseline.LayoutSeed), 13906259L, 544636928L)]
    public void The_sweep_expands_to_the_networks_the_hand_declared_grid_had(string name, long parameters, long macs)
    {
        var variant = Named(name);

        Assert.Equal(parameters, variant.Summary.Parameters);
        Assert.Equal(macs, variant.Summary.MultiplyAccumulates);
    }

    [Fact]
    public void The_grid_lists_exactly_the_baseline_and_the_variants_its_sweep_declares_in_the_catalog()
    {
        var catalog = typeof(AblationBaseline).Assembly.GetCustomAttribute<NetworkCatalogAttribute>()!.Networks;
        var swept = catalog.Where(p => p.Sweep?.Baseline == nameof(AblationBaseline)).ToList();

        Assert.Null(catalog.Single(p => p.Name == nameof(AblationBaseline)).Sweep);
        Assert.Equal(new[] { nameof(AblationBaseline) }.Concat(swept.Select(p => p.Name)), AblationGrid.All.Select(v => v.Name));
        Assert.Equal(9, swept.Count);
        Assert.Equal(
            new[] { new SweepSetting("PatchSize", "8"), new SweepSetting("Widths", "[8, 16, 32]") },
            swept.Single(p => p.Name == nameof(AblationBaseline.PatchSize8)).Sweep!.Settings);
        Assert.Equal("EmbedDim=768, MlpDim=3072", swept.Single(p => p.Name == nameof(AblationBaseline.EmbedDim768)).Sweep!.Label);
        Assert.Equal("Layout=Seed", swept.Single(p => p.Name == nameof(AblationBaseline.LayoutSeed)).Sweep!.Label);
        Assert.Equal(typeof(AblationBaseline.Depth12).FullName, swept.Single(p => p.Name == nameof(AblationBaseline.Depth12)).FullName);
    }

    [Theory]
    [InlineData(nameof(AblationBaseline.PatchSize8))]
    [InlineData(nameof(AblationBaseline.LayoutSeed))]
    public void An_expanded_variant_runs_forward_with_the_output_shape_it_declares(string name)
    {
        var variant = Named(name);
        using var scope = torch.NewDisposeScope();
        using var network = variant.Create();
        network.eval();
        using var _ = torch.no_grad();

        var output = network.call(torch.zeros(new long[] { 1 }.Concat(variant.InputShape).ToArray()));

        Assert.Equal(new long[] { 1 }.Concat(variant.OutputShape), output.shape);
    }

    [Fact]
    public void Select_keeps_grid_order_ignores_case_and_rejects_unknown_names()
    {
        var chosen = AblationGrid.Select(new[] { "layoutseed", nameof(AblationBaseline) });
        var error = Assert.Throws<ArgumentException>(() => AblationGrid.Select(new[] { "Nope" }));

        Assert.Equal(new[] { nameof(AblationBaseline), nameof(AblationBaseline.LayoutSeed) }, chosen.Select(v => v.Name));
        Assert.Equal(AblationGrid.All, AblationGrid.Select(Array.Empty<string>()));
        Assert.Contains("'Nope'", error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(AblationBaseline.PatchSize32), error.Message, StringComparison.Ordinal);
    }
}
