using System;
using System.Linq;
using Unetr.Dsl;
using Unetr.Model.Blocks;
using Unetr.Model.Runtime;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Blocks;

public sealed class InstanceNormTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Matches_torch_instance_norm_in_values_and_gradients_for_both_layouts(int spatialDims)
    {
        using var reference = spatialDims == 3
            ? (nn.Module<Tensor, Tensor>)nn.InstanceNorm3d(6, eps: 1e-5, affine: false, track_running_stats: false)
            : nn.InstanceNorm2d(6, eps: 1e-5, affine: false, track_running_stats: false);
        using var norm = Layers.Norm(NormKind.Instance, spatialDims, 6);
        var shape = new long[] { 3, 6 }.Concat(Enumerable.Repeat(9L, spatialDims)).ToArray();
        using var values = randn(shape) * 3 + 2;

        foreach (var layout in new[] { values, ChannelsLast.Of(values) })
        {
            using var expectedInput = layout.detach().requires_grad_();
            using var actualInput = layout.detach().requires_grad_();
            using var expected = reference.call(expectedInput);
            using var actual = norm.call(actualInput);
            using var upstream = randn_like(expected);
            (expected * upstream).sum().backward();
            (actual * upstream).sum().backward();

            Assert.True((expected - actual).abs().max().item<float>() <= 1e-5);
            Assert.True((expectedInput.grad! - actualInput.grad!).abs().max().item<float>() <= 1e-4);
            Assert.True(actual.std(new long[] { 2 }).abs().max().item<float>() > 0.5f, "the output is normalised, not zero");
        }
    }

    [Fact]
    public void Names_the_expected_channels_when_the_input_has_others()
    {
        using var norm = new InstanceNorm(8);

        var error = Assert.Throws<ArgumentException>(() => norm.call(zeros(new long[] { 1, 4, 3, 3, 3 })));
        Assert.Contains("[batch, 8, spatial…]", error.Message);
        Assert.Contains("[1, 4, 3, 3, 3]", error.Message);
    }
}
