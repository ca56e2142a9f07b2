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
public sealed class ChannelPaddedConvTests
{
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
        using var padded = Layers.Conv(3, 4, 8, kernel: 3, stride: 1, padding: 1, bias: true);
        using var patchEmbedding = Layers.Conv(3, 4, 192, kernel: 16, stride: 16, padding: 0, bias: true);
        using var single = Layers.Conv(3, 1, 8, kernel: 3, stride: 1, padding: 1, bias: true);
        using var wide = Layers.Conv(3, 16, 8, kernel: 3, stride: 1, padding: 1, bias: true);

        Assert.IsType<ChannelPaddedConv3d>(padded);
        Assert.IsNotType<ChannelPaddedConv3d>(patchEmbedding);
        Assert.IsNotType<ChannelPaddedConv3d>(single);
        Assert.IsNotType<ChannelPaddedConv3d>(wide);
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
