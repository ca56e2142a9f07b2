using System;
using Unetr.Dsl;
using Unetr.Model.Blocks;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Blocks;

public sealed class LayersTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Instance_norm_contributes_no_state_keys(int spatialDims)
    {
        using var norm = Layers.Norm(NormKind.Instance, spatialDims, 8);

        Assert.Empty(StateKeys.Of(norm));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Batch_norm_has_affine_parameters_and_running_statistics(int spatialDims)
    {
        using var norm = Layers.Norm(NormKind.Batch, spatialDims, 8);

        Assert.Equal(
            new[] { "weight", "bias", "running_mean", "running_var", "num_batches_tracked" },
            StateKeys.Of(norm));
    }

    [Theory]
    [InlineData(2, "weight [5, 3, 3, 3]")]
    [InlineData(3, "weight [5, 3, 3, 3, 3]")]
    public void Conv_kernel_has_one_axis_per_spatial_dimension(int spatialDims, string weight)
    {
        using var conv = Layers.Conv(spatialDims, 3, 5, kernel: 3, stride: 1, padding: 1, bias: false);

        Assert.Equal(new[] { weight }, StateKeys.WithShapes(conv));
    }

    [Fact]
    public void Conv_transpose_with_kernel_equal_to_stride_doubles_each_axis()
    {
        using var deconv = Layers.ConvTranspose(3, 4, 2, kernel: 2, stride: 2, bias: true);

        using var output = deconv.call(randn(new long[] { 1, 4, 3, 5, 7 }));

        Assert.Equal(new long[] { 1, 2, 6, 10, 14 }, output.shape);
    }

    [Fact]
    public void Rejects_one_spatial_dimension()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Layers.Conv(1, 3, 5, 3, 1, 1, true));
    }
}
