using System;
using System.Collections.Generic;
using System.Linq;
using Unetr.Model.Presets;
using Unetr.Tests.Reference;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Runtime;

/// <summary>The two presets are key for key, shape for shape, the PyTorch references, with the counts proven at build time.</summary>
public sealed class PresetTests
{
    [Fact]
    public void Seed_preset_matches_the_reference_keys_shapes_and_counts()
    {
        Assert.Equal(148_955_299L, SeedUnetr.ParameterCount);
        Assert.Equal(1_845_896_413_184L, SeedUnetr.MultiplyAccumulates);
        Assert.Equal(2_183_117_428_832L, SeedUnetr.TorchinfoMultiplyAccumulates);

        using var net = new SeedUnetr();

        Assert.Equal(SeedUnetr.ParameterCount, net.parameters().Sum(p => p.numel()));
        AssertSameKeys(ReferenceData.KeyFile("seed_128.keys.tsv", string.Empty), net);
    }

    [Fact]
    public void Monai_preset_matches_the_reference_keys_shapes_and_counts()
    {
        Assert.Equal(92_784_046L, MonaiBtcvUnetr.ParameterCount);
        Assert.Equal(73_224_290_304L, MonaiBtcvUnetr.MultiplyAccumulates);

        using var net = new MonaiBtcvUnetr();

        Assert.Equal(MonaiBtcvUnetr.ParameterCount, net.parameters().Sum(p => p.numel()));
        var reference = ReferenceData.KeyFile("monai_btcv_96.keys.tsv", string.Empty)
            .Where(k => !k.Key.Contains(".cross_attn.") && !k.Key.Contains(".norm_cross_attn."));
        AssertSameKeys(reference, net);
    }

    [Fact]
    public void Presets_declare_their_input_and_output_shapes()
    {
        Assert.Equal(new long[] { 4, 128, 128, 128 }, SeedUnetr.InputShape);
        Assert.Equal(new long[] { 3, 128, 128, 128 }, SeedUnetr.OutputShape);
        Assert.Equal(new long[] { 1, 96, 96, 96 }, MonaiBtcvUnetr.InputShape);
        Assert.Equal(new long[] { 14, 96, 96, 96 }, MonaiBtcvUnetr.OutputShape);
    }

    [Fact]
    public void Summary_names_both_mac_conventions_and_every_top_level_module()
    {
        var text = SeedUnetr.Summary.ToString();

        Assert.Contains("1,845,896,413,184", text);
        Assert.Contains("2,183,117,428,832", text);
        Assert.Contains("148,955,299", text);
        Assert.Contains("torchinfo", text);
        foreach (var module in new[] { "transformer", "decoder0", "decoder3", "decoder12_upsampler", "decoder0_header" })
        {
            Assert.Contains(SeedUnetr.Summary.Rows, r => r.Depth == 0 && r.Name == module);
        }
    }

    /// <summary>
    /// Same state_dict entries and shapes; parameters also in PyTorch's order. TorchSharp lists all parameters before
    /// all buffers where PyTorch interleaves them per module, so buffers (BatchNorm statistics) compare as a set.
    /// </summary>
    private static void AssertSameKeys(IEnumerable<(string Key, long[] Shape)> reference, nn.Module net)
    {
        var expected = reference.Select(k => Describe(k.Key, k.Shape)).ToList();
        var actual = net.state_dict().Select(kv => Describe(kv.Key, kv.Value.shape)).ToList();
        Assert.Equal(expected.Order(StringComparer.Ordinal), actual.Order(StringComparer.Ordinal));

        var parameters = net.named_parameters().Select(p => p.name).ToHashSet();
        Assert.Equal(
            reference.Select(k => k.Key).Where(parameters.Contains),
            net.named_parameters().Select(p => p.name));
    }

    private static string Describe(string key, long[] shape) => $"{key} [{string.Join(", ", shape)}]";
}
