using System;
using System.Collections.Generic;
using System.Linq;
using Unetr.Dsl;
using Unetr.Model.Blocks;
using Unetr.Model.Blocks.Monai;
using Unetr.Model.Blocks.Seed;
using Unetr.Model.Checkpoints;
using Unetr.Tests.Reference;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Blocks;

public sealed class TransformerTests
{
    private const double Tolerance = 1e-5;

    [Fact]
    public void Seed_attention_is_softmax_of_scores_scaled_by_inverse_root_head_dim()
    {
        const long width = 12, heads = 3, headDim = width / heads;
        using var attention = new SeedSelfAttention(width, heads, dropout: 0.0);
        attention.eval();
        var weights = attention.state_dict();
        using var tokens = randn(new long[] { 2, 5, width });

        using var actual = attention.call(tokens);

        Tensor PerHead(string name) => nn.functional.linear(tokens, weights[name + ".weight"], weights[name + ".bias"])
            .reshape(2, 5, heads, headDim).permute(0, 2, 1, 3);
        var scores = matmul(PerHead("query"), PerHead("key").transpose(-1, -2)) / Math.Sqrt(headDim);
        var context = matmul(scores.softmax(-1), PerHead("value")).permute(0, 2, 1, 3).reshape(2, 5, width);
        using var expected = nn.functional.linear(context, weights["out.weight"], weights["out.bias"]);
        Assert.True(actual.allclose(expected, atol: Tolerance));
    }

    [Fact]
    public void Fused_qkv_rows_are_query_then_key_then_value_each_by_head()
    {
        using var separate = new SeedSelfAttention(12, 3, dropout: 0.0);
        using var fused = new SelfAttentionBlock(12, 3, dropout: 0.0, qkvBias: true);
        separate.eval();
        fused.eval();
        var source = separate.state_dict();
        StateDictLoader.Load(fused, new Dictionary<string, Tensor>
        {
            ["out_proj.weight"] = source["out.weight"],
            ["out_proj.bias"] = source["out.bias"],
            ["qkv.weight"] = cat([source["query.weight"], source["key.weight"], source["value.weight"]], 0),
            ["qkv.bias"] = cat([source["query.bias"], source["key.bias"], source["value.bias"]], 0),
        });
        using var tokens = randn(new long[] { 2, 5, 12 });

        using var fromSeparate = separate.call(tokens);
        using var fromFused = fused.call(tokens);

        Assert.True(fromFused.allclose(fromSeparate, atol: Tolerance));
    }

    [Fact]
    public void Qkv_has_no_bias_unless_asked()
    {
        using var attention = new SelfAttentionBlock(12, 3, dropout: 0.0, qkvBias: false);

        Assert.Equal(new[] { "out_proj.weight", "out_proj.bias", "qkv.weight" }, StateKeys.Of(attention));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Perceptron_projection_flattens_each_patch_axis_by_axis_with_channels_fastest(int spatialDims)
    {
        var imageSize = new long[] { 16, 8, 24 }[..spatialDims];
        using var conv = new PatchEmbeddingBlock(spatialDims, 2, imageSize, 8, 10, PatchProjection.Conv, dropout: 0.0);
        using var perceptron = new PatchEmbeddingBlock(spatialDims, 2, imageSize, 8, 10, PatchProjection.Perceptron, dropout: 0.0);
        var source = conv.state_dict();
        // A conv weight [E, c, p1, p2(, p3)] read in (p1 p2 (p3) c) order is the equivalent Linear weight.
        var channelsLast = new long[] { 0 }.Concat(Enumerable.Range(2, spatialDims).Select(axis => (long)axis)).Append(1).ToArray();
        StateDictLoader.Load(perceptron, new Dictionary<string, Tensor>
        {
            ["position_embeddings"] = source["position_embeddings"],
            ["patch_embeddings.1.weight"] = source["patch_embeddings.weight"].permute(channelsLast).reshape(10, -1),
            ["patch_embeddings.1.bias"] = source["patch_embeddings.bias"],
        });
        using var image = randn(new long[] { 2, 2 }.Concat(imageSize).ToArray());

        using var fromConv = conv.call(image);
        using var fromPerceptron = perceptron.call(image);

        Assert.Equal(new long[] { 2, spatialDims == 3 ? 6 : 2, 10 }, fromPerceptron.shape);
        Assert.True(fromPerceptron.allclose(fromConv, atol: Tolerance));
    }

    [Fact]
    public void Vit_returns_the_extract_layers_in_order_and_normalises_only_the_deepest()
    {
        using var normalised = TinyVit(finalNorm: true, 1, 2, 3);
        using var raw = TinyVit(finalNorm: false, 1, 2, 3);
        using var twoLayers = TinyVit(finalNorm: false, 1, 3);
        StateDictLoader.Load(raw, normalised.state_dict());
        StateDictLoader.Load(twoLayers, normalised.state_dict());
        using var image = randn(new long[] { 1, 1, 16, 16, 16 });

        var withNorm = normalised.call(image);
        var withoutNorm = raw.call(image);
        var selected = twoLayers.call(image);

        Assert.Equal(3, withNorm.Length);
        Assert.True(withNorm[0].allclose(withoutNorm[0]) && withNorm[1].allclose(withoutNorm[1]));
        Assert.True(withNorm[2].allclose(nn.functional.layer_norm(withoutNorm[2], new long[] { 12 }, null, null, 1e-5), atol: Tolerance));
        Assert.True(selected[0].allclose(withoutNorm[0]) && selected[1].allclose(withoutNorm[2]));
    }

    [Fact]
    public void Seed_transformer_applies_encoder_norm_only_when_asked()
    {
        using var raw = new SeedTransformer(2, 1, new long[] { 16, 16 }, 8, 12, 2, 3, 24, new[] { 1, 2 }, 0.0, MlpActivation.Relu, finalNorm: false);
        using var normalised = new SeedTransformer(2, 1, new long[] { 16, 16 }, 8, 12, 2, 3, 24, new[] { 1, 2 }, 0.0, MlpActivation.Relu, finalNorm: true);
        StateDictLoader.Load(normalised, raw.state_dict());
        raw.eval();
        normalised.eval();
        using var image = randn(new long[] { 1, 1, 16, 16 });

        var withoutNorm = raw.call(image);
        var withNorm = normalised.call(image);

        Assert.Equal(new long[] { 1, 4, 12 }, withoutNorm[1].shape);
        Assert.True(withNorm[0].allclose(withoutNorm[0]));
        Assert.True(withNorm[1].allclose(nn.functional.layer_norm(withoutNorm[1], new long[] { 12 }, null, null, 1e-6), atol: Tolerance));
    }

    [Theory]
    [InlineData(new[] { 3, 3 })]
    [InlineData(new[] { 4, 2 })]
    [InlineData(new[] { 0, 2 })]
    [InlineData(new[] { 2, 13 })]
    [InlineData(new int[0])]
    public void Rejects_extract_layers_that_are_not_increasing_block_numbers_within_depth(int[] extractLayers)
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new SeedTransformer(3, 1, new long[] { 16, 16, 16 }, 16, 12, 12, 3, 24, extractLayers, 0.0, MlpActivation.Relu, false));

        Assert.Equal("extractLayers", error.ParamName);
    }

    [Fact]
    public void Rejects_heads_that_do_not_divide_the_width()
    {
        Assert.Throws<ArgumentException>(() => new SelfAttentionBlock(12, 5, 0.0, false));
    }

    [Fact]
    public void Seed_transformer_loads_the_seed_reference_encoder_strictly()
    {
        using var transformer = new SeedTransformer(
            3, 2, new long[] { 32, 32, 32 }, 16, 48, 12, 4, 96, new[] { 3, 6, 9, 12 }, 0.1, MlpActivation.Relu, finalNorm: false);

        var slice = ReferenceData.StateDictSlice("seed_tiny.weights.pt", "transformer.");

        var result = StateDictLoader.Load(transformer, slice);

        Assert.Equal(slice.Count, result.LoadedKeys.Count);
        Assert.Empty(result.SkippedKeys);
    }

    [Fact]
    public void Vit_loads_the_monai_reference_encoder_skipping_only_cross_attention()
    {
        using var vit = new ViT(
            3, 1, new long[] { 32, 32, 32 }, 16, 48, 96, 12, 4, PatchProjection.Conv, 0.0, false, MlpActivation.Gelu, true, new[] { 4, 7, 10, 12 });

        var result = StateDictLoader.Load(vit, ReferenceData.StateDictSlice("monai_tiny.weights.pt", "vit."));

        Assert.Equal(12 * 7, result.SkippedKeys.Count);
        Assert.All(result.SkippedKeys, skipped => Assert.Contains("cross_attn.", skipped.Key));
    }

    [Fact]
    public void Full_size_seed_transformer_has_the_reference_keys_and_shapes_in_order()
    {
        using var transformer = new SeedTransformer(
            3, 4, new long[] { 128, 128, 128 }, 16, 768, 12, 12, 2048, new[] { 3, 6, 9, 12 }, 0.1, MlpActivation.Relu, finalNorm: false);

        var expected = ReferenceData.KeyFile("seed_128.keys.tsv", "transformer.").Select(entry => StateKeys.Entry(entry.Key, entry.Shape));
        Assert.Equal(expected, StateKeys.WithShapes(transformer));
    }

    [Fact]
    public void Full_size_perceptron_vit_has_the_btcv_keys_and_shapes_in_order_without_cross_attention()
    {
        using var vit = new ViT(
            3, 1, new long[] { 96, 96, 96 }, 16, 768, 3072, 12, 12, PatchProjection.Perceptron, 0.0, false, MlpActivation.Gelu, true, new[] { 4, 7, 10, 12 });

        var expected = ReferenceData.KeyFile("monai_btcv_96.keys.tsv", "vit.")
            .Where(entry => !entry.Key.Contains("cross_attn.", StringComparison.Ordinal))
            .Select(entry => StateKeys.Entry(entry.Key, entry.Shape));
        Assert.Equal(expected, StateKeys.WithShapes(vit));
    }

    private static ViT TinyVit(bool finalNorm, params int[] extractLayers)
    {
        var vit = new ViT(3, 1, new long[] { 16, 16, 16 }, 8, 12, 24, 3, 3, PatchProjection.Conv, 0.0, false, MlpActivation.Gelu, finalNorm, extractLayers);
        vit.eval();
        return vit;
    }
}
