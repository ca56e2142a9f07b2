using System;
using System.Linq;
using Unetr.Model.Blocks;
using Unetr.Model.Runtime;
using Unetr.Tests.Training;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Blocks;

// Draws from libtorch's global generator and compares initialisations, so it runs alone.
[Collection(TrainingCollection.Name)]
public sealed class FastConvTests
{
    [Theory]
    [InlineData(3, 8, 14, true)]
    [InlineData(3, 16, 3, true)]
    [InlineData(3, 32, 16, false)]
    [InlineData(2, 6, 5, true)]
    public void Pointwise_conv_is_a_kernel_one_convolution_with_its_parameters_outputs_and_gradients(int spatialDims, long inChannels, long outChannels, bool bias)
    {
        manual_seed(4);
        using var reference = spatialDims == 3
            ? (nn.Module<Tensor, Tensor>)nn.Conv3d(inChannels, outChannels, 1, bias: bias)
            : nn.Conv2d(inChannels, outChannels, 1, bias: bias);
        manual_seed(4);
        using var fast = Layers.Conv(spatialDims, inChannels, outChannels, kernel: 1, stride: 1, padding: 0, bias);

        Assert.IsType<PointwiseConv>(fast);
        AssertSameModule(reference, fast, Input(spatialDims, 2, inChannels, 6));
    }

    [Theory]
    [InlineData(4, 8, 3, 1)]
    [InlineData(2, 16, 3, 1)]
    [InlineData(7, 8, 1, 0)]
    public void Channel_padded_conv_is_nn_conv3d_with_its_parameters_outputs_and_gradients(long inChannels, long outChannels, long kernel, long padding)
    {
        manual_seed(9);
        using var reference = nn.Conv3d(inChannels, outChannels, kernel, padding: padding, bias: true);
        manual_seed(9);
        using var fast = new ChannelPaddedConv3d(inChannels, outChannels, kernel, stride: 1, padding, hasBias: true);

        AssertSameModule(reference, fast, Input(3, 2, inChannels, 10));
    }

    [Fact]
    public void The_factory_picks_the_fast_forms_only_where_they_apply()
    {
        using var pointwise = Layers.Conv(3, 8, 14, kernel: 1, stride: 1, padding: 0, bias: true);
        using var padded = Layers.Conv(3, 4, 8, kernel: 3, stride: 1, padding: 1, bias: true);
        using var patchEmbedding = Layers.Conv(3, 4, 192, kernel: 16, stride: 16, padding: 0, bias: true);
        using var single = Layers.Conv(3, 1, 8, kernel: 3, stride: 1, padding: 1, bias: true);
        using var wide = Layers.Conv(3, 16, 8, kernel: 3, stride: 1, padding: 1, bias: true);

        Assert.IsType<PointwiseConv>(pointwise);
        Assert.IsType<ChannelPaddedConv3d>(padded);
        Assert.IsNotType<ChannelPaddedConv3d>(patchEmbedding);
        Assert.IsNotType<ChannelPaddedConv3d>(single);
        Assert.IsNotType<ChannelPaddedConv3d>(wide);
    }

    [Fact]
    public void Pointwise_conv_names_the_expected_channels_when_the_input_has_others()
    {
        using var conv = new PointwiseConv(3, 8, 4, hasBias: true);

        var error = Assert.Throws<ArgumentException>(() => conv.call(zeros(new long[] { 1, 6, 2, 2, 2 })));
        Assert.Contains("[batch, 8, spatial…]", error.Message);
        Assert.Contains("[1, 6, 2, 2, 2]", error.Message);
    }

    private static Tensor Input(int spatialDims, long batch, long channels, long size) =>
        randn(new[] { batch, channels }.Concat(Enumerable.Repeat(size, spatialDims)).ToArray());

    // Same parameter names, shapes and values; same outputs and gradients for a row-major and a channels-last input.
    private static void AssertSameModule(nn.Module<Tensor, Tensor> reference, nn.Module<Tensor, Tensor> fast, Tensor input)
    {
        var expectedParameters = reference.named_parameters().ToArray();
        var actualParameters = fast.named_parameters().ToArray();
        Assert.Equal(expectedParameters.Select(p => $"{p.name} [{string.Join(", ", p.parameter.shape)}]"), actualParameters.Select(p => $"{p.name} [{string.Join(", ", p.parameter.shape)}]"));
        Assert.All(expectedParameters.Zip(actualParameters), pair => Assert.True(Tensors.Identical(pair.First.parameter, pair.Second.parameter)));

        foreach (var layout in new[] { input, ChannelsLast.Of(input) })
        {
            reference.zero_grad();
            fast.zero_grad();
            using var expected = reference.call(layout);
            using var actual = fast.call(layout);
            Assert.Equal(expected.shape, actual.shape);
            Assert.True((expected - actual).abs().max().item<float>() <= 1e-5, $"max |difference| {(expected - actual).abs().max().item<float>():E2}");

            using var upstream = randn_like(expected);
            (expected * upstream).sum().backward();
            (actual * upstream).sum().backward();
            foreach (var (e, a) in expectedParameters.Zip(actualParameters))
            {
                var difference = (e.parameter.grad! - a.parameter.grad!).abs().max().item<float>();
                Assert.True(difference <= 1e-3 * Math.Max(1, e.parameter.grad!.abs().max().item<float>()), $"{e.name} gradient differs by {difference:E2}");
            }
        }
    }
}
