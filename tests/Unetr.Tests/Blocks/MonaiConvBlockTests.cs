using System;
using Unetr.Dsl;
using Unetr.Model.Blocks.Monai;
using Unetr.Tests.Reference;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Blocks;

public sealed class MonaiConvBlockTests
{
    [Fact]
    public void Res_block_with_instance_norm_has_only_conv_weights()
    {
        using var block = new UnetResBlock(3, 4, 8, NormKind.Instance);

        Assert.Equal(
            new[]
            {
                "conv1.conv.weight [8, 4, 3, 3, 3]",
                "conv2.conv.weight [8, 8, 3, 3, 3]",
                "conv3.conv.weight [8, 4, 1, 1, 1]",
            },
            StateKeys.WithShapes(block));
    }

    [Fact]
    public void Res_block_with_batch_norm_lists_norms_in_monai_registration_order()
    {
        using var block = new UnetResBlock(3, 4, 8, NormKind.Batch);

        Assert.Equal(
            new[]
            {
                "conv1.conv.weight", "conv2.conv.weight",
                "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias",
                "conv3.conv.weight", "norm3.weight", "norm3.bias",
                // TorchSharp lists all buffers after all parameters; PyTorch interleaves them per module.
                "norm1.running_mean", "norm1.running_var", "norm1.num_batches_tracked",
                "norm2.running_mean", "norm2.running_var", "norm2.num_batches_tracked",
                "norm3.running_mean", "norm3.running_var", "norm3.num_batches_tracked",
            },
            StateKeys.Of(block));
    }

    [Fact]
    public void Res_block_without_channel_change_has_no_shortcut_conv()
    {
        using var block = new UnetResBlock(2, 8, 8, NormKind.Instance);

        Assert.Equal(new[] { "conv1.conv.weight", "conv2.conv.weight" }, StateKeys.Of(block));
    }

    [Fact]
    public void Res_block_without_channel_change_adds_the_input_itself_before_the_activation()
    {
        using var block = new UnetResBlock(3, 2, 2, NormKind.Instance);
        using (no_grad())
        {
            foreach (var parameter in block.parameters())
            {
                parameter.zero_();
            }
        }

        using var input = randn(new long[] { 1, 2, 4, 4, 4 });
        using var output = block.call(input);

        // Zero convs make the main path zero, leaving leaky_relu(x + 0).
        Assert.True(output.allclose(nn.functional.leaky_relu(input, 0.01)));
    }

    [Fact]
    public void Basic_block_has_two_convs_and_no_shortcut()
    {
        using var block = new UnetBasicBlock(3, 4, 8, NormKind.Instance);

        Assert.Equal(new[] { "conv1.conv.weight", "conv2.conv.weight" }, StateKeys.Of(block));
    }

    [Fact]
    public void Unetr_basic_block_wraps_its_conv_block_in_layer()
    {
        using var residual = new UnetrBasicBlock(3, 1, 16, NormKind.Instance, residual: true);
        using var plain = new UnetrBasicBlock(3, 1, 16, NormKind.Instance, residual: false);

        Assert.Equal(new[] { "layer.conv1.conv.weight", "layer.conv2.conv.weight", "layer.conv3.conv.weight" }, StateKeys.Of(residual));
        Assert.Equal(new[] { "layer.conv1.conv.weight", "layer.conv2.conv.weight" }, StateKeys.Of(plain));
    }

    [Fact]
    public void Pr_up_block_upsamples_once_plus_once_per_extra_stage()
    {
        using var block = new UnetrPrUpBlock(3, 48, 16, extraUpsamples: 2, NormKind.Instance, residual: true);

        using var output = block.call(randn(new long[] { 1, 48, 2, 2, 2 }));

        Assert.Equal(new long[] { 1, 16, 16, 16, 16 }, output.shape);
        Assert.Equal(
            new[]
            {
                "transp_conv_init.conv.weight",
                "blocks.0.0.conv.weight", "blocks.0.1.conv1.conv.weight", "blocks.0.1.conv2.conv.weight",
                "blocks.1.0.conv.weight", "blocks.1.1.conv1.conv.weight", "blocks.1.1.conv2.conv.weight",
            },
            StateKeys.Of(block));
    }

    [Fact]
    public void Up_block_concatenates_the_skip_after_upsampling()
    {
        using var block = new UnetrUpBlock(3, 32, 16, NormKind.Batch, residual: true);

        using var output = block.call(randn(new long[] { 1, 32, 2, 2, 2 }), randn(new long[] { 1, 16, 4, 4, 4 }));

        Assert.Equal(new long[] { 1, 16, 4, 4, 4 }, output.shape);
        Assert.Contains("conv_block.conv1.conv.weight [16, 32, 3, 3, 3]", StateKeys.WithShapes(block));
    }

    [Fact]
    public void Out_block_is_a_biased_one_by_one_conv()
    {
        using var block = new UnetOutBlock(3, 16, 14);

        Assert.Equal(
            new[] { "conv.conv.weight [14, 16, 1, 1, 1]", "conv.conv.bias [14]" },
            StateKeys.WithShapes(block));
    }

    [Fact]
    public void Transposed_conv_only_rejects_a_kernel_other_than_its_stride()
    {
        Assert.Throws<ArgumentException>(() => new ConvOnly(3, 4, 4, kernel: 3, stride: 2, transposed: true, bias: false));
    }

    [Theory]
    [InlineData("encoder1.")]
    [InlineData("encoder2.")]
    [InlineData("encoder3.")]
    [InlineData("encoder4.")]
    [InlineData("decoder5.")]
    [InlineData("decoder2.")]
    [InlineData("out.")]
    public void Blocks_load_their_slice_of_the_monai_reference_strictly(string prefix)
    {
        using nn.Module block = prefix switch
        {
            "encoder1." => new UnetrBasicBlock(3, 1, 8, NormKind.Instance, residual: true),
            "encoder2." => new UnetrPrUpBlock(3, 48, 16, 2, NormKind.Instance, residual: true),
            "encoder3." => new UnetrPrUpBlock(3, 48, 32, 1, NormKind.Instance, residual: true),
            "encoder4." => new UnetrPrUpBlock(3, 48, 64, 0, NormKind.Instance, residual: true),
            "decoder5." => new UnetrUpBlock(3, 48, 64, NormKind.Instance, residual: true),
            "decoder2." => new UnetrUpBlock(3, 16, 8, NormKind.Instance, residual: true),
            _ => new UnetOutBlock(3, 8, 3),
        };
        var slice = ReferenceData.StateDictSlice("monai_tiny.weights.pt", prefix);

        var result = Unetr.Model.Checkpoints.StateDictLoader.Load(block, slice);

        Assert.Equal(slice.Count, result.LoadedKeys.Count);
        Assert.Empty(result.SkippedKeys);
    }
}
