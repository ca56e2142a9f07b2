using Unetr.Model.Blocks.Seed;
using Unetr.Model.Checkpoints;
using Unetr.Tests.Reference;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Blocks;

public sealed class SeedConvBlockTests
{
    [Fact]
    public void Conv_block_nests_its_conv_and_batch_norm_in_block()
    {
        using var block = new ConvBlock(3, 2, 4);

        Assert.Equal(
            new[]
            {
                "block.0.block.weight [4, 2, 3, 3, 3]", "block.0.block.bias [4]",
                "block.1.weight [4]", "block.1.bias [4]",
                "block.1.running_mean [4]", "block.1.running_var [4]", "block.1.num_batches_tracked []",
            },
            StateKeys.WithShapes(block));
    }

    [Fact]
    public void Conv_block_keeps_the_spatial_size()
    {
        using var block = new ConvBlock(2, 2, 4);

        using var output = block.call(randn(new long[] { 1, 2, 5, 7 }));

        Assert.Equal(new long[] { 1, 4, 5, 7 }, output.shape);
    }

    [Fact]
    public void Deconv_block_doubles_each_axis_then_convolves()
    {
        using var block = new DeconvBlock(3, 8, 4);

        using var output = block.call(randn(new long[] { 1, 8, 2, 3, 4 }));

        Assert.Equal(new long[] { 1, 4, 4, 6, 8 }, output.shape);
        Assert.Equal(
            new[]
            {
                "block.0.block.weight [8, 4, 2, 2, 2]", "block.0.block.bias [4]",
                "block.1.block.weight [4, 4, 3, 3, 3]", "block.1.block.bias [4]",
                "block.2.weight [4]", "block.2.bias [4]",
                "block.2.running_mean [4]", "block.2.running_var [4]", "block.2.num_batches_tracked []",
            },
            StateKeys.WithShapes(block));
    }

    [Fact]
    public void Single_conv_block_with_kernel_one_keeps_the_spatial_size()
    {
        using var block = new SingleConvBlock(3, 8, 3, kernel: 1);

        using var output = block.call(randn(new long[] { 1, 8, 4, 4, 4 }));

        Assert.Equal(new long[] { 1, 3, 4, 4, 4 }, output.shape);
    }

    [Theory]
    [InlineData("decoder9.")]
    [InlineData("decoder12_upsampler.")]
    [InlineData("decoder9_upsampler.0.")]
    [InlineData("decoder0_header.2.")]
    public void Blocks_load_their_slice_of_the_seed_reference_strictly(string prefix)
    {
        using nn.Module block = prefix switch
        {
            "decoder9." => new DeconvBlock(3, 48, 64),
            "decoder12_upsampler." => new SingleDeconvBlock(3, 48, 64),
            "decoder9_upsampler.0." => new ConvBlock(3, 128, 64),
            _ => new SingleConvBlock(3, 8, 3, kernel: 1),
        };
        var slice = ReferenceData.StateDictSlice("seed_tiny.weights.pt", prefix);

        var result = StateDictLoader.Load(block, slice);

        Assert.Equal(slice.Count, result.LoadedKeys.Count);
    }
}
