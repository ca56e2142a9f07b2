using System.Collections.Generic;
using System.IO;
using System.Linq;
using TorchSharp.PyBridge;
using Unetr.Dsl;
using Unetr.Model.Blocks.Monai;
using Unetr.Model.Blocks.Seed;
using Unetr.Model.Checkpoints;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Blocks;

public sealed class StateDictLoaderTests
{
    [Fact]
    public void Copies_parameters_and_batch_norm_buffers_from_a_pytorch_file()
    {
        using var source = new ConvBlock(3, 2, 4);
        RandomiseState(source);
        var path = Path.Combine(Path.GetTempPath(), $"unetr-loader-{System.Guid.NewGuid():N}.pt");
        try
        {
            source.save_py(path);
            using var target = new ConvBlock(3, 2, 4);

            var result = StateDictLoader.Load(target, path);

            Assert.Equal(StateKeys.Of(source), result.LoadedKeys);
            var expected = source.state_dict();
            Assert.All(target.state_dict(), entry => Assert.True(entry.Value.equal(expected[entry.Key]).all().item<bool>(), entry.Key));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Names_a_missing_key()
    {
        using var module = new ConvBlock(3, 2, 4);
        var checkpoint = Copy(module.state_dict());
        checkpoint.Remove("block.1.running_var");

        var error = Assert.Throws<CheckpointMismatchException>(() => StateDictLoader.Load(module, checkpoint));

        Assert.Equal(new[] { "block.1.running_var" }, error.MissingKeys);
        Assert.Contains("Missing keys (1): block.1.running_var", error.Message);
    }

    [Fact]
    public void Names_an_unexpected_key()
    {
        using var module = new ConvBlock(3, 2, 4);
        var checkpoint = Copy(module.state_dict());
        checkpoint["block.3.weight"] = ones(4);

        var error = Assert.Throws<CheckpointMismatchException>(() => StateDictLoader.Load(module, checkpoint));

        Assert.Equal(new[] { "block.3.weight" }, error.UnexpectedKeys);
        Assert.Contains("Unexpected keys (1): block.3.weight", error.Message);
    }

    [Fact]
    public void Names_a_wrongly_shaped_key_with_both_shapes()
    {
        using var module = new ConvBlock(3, 2, 4);
        var checkpoint = Copy(module.state_dict());
        checkpoint["block.0.block.weight"] = zeros(new long[] { 4, 3, 3, 3, 3 });

        var error = Assert.Throws<CheckpointMismatchException>(() => StateDictLoader.Load(module, checkpoint));

        Assert.Equal("block.0.block.weight", Assert.Single(error.ShapeMismatches).Key);
        Assert.Contains("block.0.block.weight (checkpoint [4, 3, 3, 3, 3], module [4, 2, 3, 3, 3])", error.Message);
    }

    [Fact]
    public void Loads_nothing_when_any_key_mismatches()
    {
        using var module = new ConvBlock(3, 2, 4);
        var before = Copy(module.state_dict());
        var checkpoint = Copy(module.state_dict());
        foreach (var tensor in checkpoint.Values.Where(tensor => tensor.is_floating_point()))
        {
            tensor.add_(1);
        }

        checkpoint["block.3.weight"] = ones(4);

        Assert.Throws<CheckpointMismatchException>(() => StateDictLoader.Load(module, checkpoint));

        Assert.All(module.state_dict(), entry => Assert.True(entry.Value.equal(before[entry.Key]).all().item<bool>(), entry.Key));
    }

    [Fact]
    public void Skips_monai_cross_attention_keys_explicitly_and_reports_them()
    {
        using var block = new TransformerBlock(12, 24, 3, 0.0, false, MlpActivation.Gelu);
        var checkpoint = Copy(block.state_dict());
        checkpoint["norm_cross_attn.weight"] = ones(12);
        checkpoint["cross_attn.to_q.weight"] = ones(new long[] { 12, 12 });

        var result = StateDictLoader.Load(block, checkpoint);

        Assert.Equal(new[] { "cross_attn.to_q.weight", "norm_cross_attn.weight" }, result.SkippedKeys.Select(skipped => skipped.Key));
        Assert.All(result.SkippedKeys, skipped => Assert.Contains("cross-attention", skipped.Reason));
    }

    [Fact]
    public void Skips_the_monai_0_7_class_token_and_shortcut_of_a_block_whose_channels_do_not_change()
    {
        using var encoder = new UnetrPrUpBlock(3, 12, 8, 1, NormKind.Instance, residual: true);
        var checkpoint = Copy(encoder.state_dict());
        checkpoint["blocks.0.1.conv3.conv.weight"] = ones(new long[] { 8, 8, 1, 1, 1 });
        using var vit = new ViT(3, 1, new long[] { 16, 16, 16 }, 8, 12, 24, 1, 3, PatchProjection.Perceptron, 0.0, false, MlpActivation.Gelu, true, new[] { 1 });
        var vitCheckpoint = Copy(vit.state_dict());
        vitCheckpoint["patch_embedding.cls_token"] = zeros(new long[] { 1, 1, 12 });

        var encoderResult = StateDictLoader.Load(encoder, checkpoint);
        var vitResult = StateDictLoader.Load(vit, vitCheckpoint);

        Assert.Equal("blocks.0.1.conv3.conv.weight", Assert.Single(encoderResult.SkippedKeys).Key);
        Assert.Equal("patch_embedding.cls_token", Assert.Single(vitResult.SkippedKeys).Key);
    }

    [Fact]
    public void Still_rejects_unknown_keys_beside_skippable_ones()
    {
        using var encoder = new UnetrPrUpBlock(3, 12, 8, 1, NormKind.Instance, residual: true);
        var checkpoint = Copy(encoder.state_dict());
        checkpoint["blocks.0.1.conv3.conv.weight"] = ones(new long[] { 8, 8, 1, 1, 1 });
        checkpoint["blocks.0.1.conv4.conv.weight"] = ones(new long[] { 8, 8, 1, 1, 1 });

        var error = Assert.Throws<CheckpointMismatchException>(() => StateDictLoader.Load(encoder, checkpoint));

        Assert.Equal(new[] { "blocks.0.1.conv4.conv.weight" }, error.UnexpectedKeys);
    }

    private static Dictionary<string, Tensor> Copy(Dictionary<string, Tensor> stateDict) =>
        stateDict.ToDictionary(entry => entry.Key, entry => entry.Value.detach().clone());

    private static void RandomiseState(nn.Module module)
    {
        using var noGrad = no_grad();
        foreach (var (name, tensor) in module.state_dict())
        {
            if (name.EndsWith("num_batches_tracked"))
            {
                tensor.fill_(7);
            }
            else
            {
                tensor.copy_(rand(tensor.shape) + 0.5);
            }
        }
    }
}
