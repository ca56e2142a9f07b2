using System;
using Unetr.Model.Data.Transforms;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Data;

public sealed class IntensityTransformsTests
{
    [Fact]
    public void Scale_range_maps_the_ct_window_onto_zero_to_one_and_clips()
    {
        using var scope = NewDisposeScope();
        var image = Row(-200, -175, 37.5, 250, 300);

        var scaled = IntensityTransforms.ScaleRange(image, -175, 250, 0, 1);

        // (37.5 + 175) / 425 = 0.5.
        Assert.Equal(new double[] { 0, 0, 0.5, 1, 1 }, NiftiVolumes.Values(scaled), Close);
        Assert.Equal(ScalarType.Float32, scaled.dtype);
    }

    [Fact]
    public void Scale_range_without_clip_extrapolates_linearly()
    {
        using var scope = NewDisposeScope();

        var scaled = IntensityTransforms.ScaleRange(Row(-50, 0, 50, 150), 0, 100, -1, 1, clip: false);

        Assert.Equal(new double[] { -2, -1, 0, 2 }, NiftiVolumes.Values(scaled), Close);
    }

    [Fact]
    public void Scale_range_needs_a_max_above_a_min()
    {
        using var scope = NewDisposeScope();

        var error = Assert.Throws<ArgumentException>(() => IntensityTransforms.ScaleRange(Row(1), 5, 5, 0, 1));

        Assert.Equal("The intensity range needs a_max > a_min; got a_min 5, a_max 5.", error.Message);
    }

    [Fact]
    public void Normalize_subtracts_the_mean_and_divides_by_the_population_deviation()
    {
        using var scope = NewDisposeScope();

        var normalised = IntensityTransforms.Normalize(Row(1, 2, 3, 4));

        // Mean 2.5; population variance (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25.
        var deviation = Math.Sqrt(1.25);
        Assert.Equal(new[] { -1.5 / deviation, -0.5 / deviation, 0.5 / deviation, 1.5 / deviation }, NiftiVolumes.Values(normalised), Close);
    }

    [Fact]
    public void Normalize_over_nonzero_voxels_leaves_zeros_alone()
    {
        using var scope = NewDisposeScope();

        var normalised = IntensityTransforms.Normalize(Row(0, 2, 4, 0), nonzeroOnly: true);

        // Non-zero voxels 2 and 4: mean 3, population deviation 1.
        Assert.Equal(new double[] { 0, -1, 1, 0 }, NiftiVolumes.Values(normalised), Close);
    }

    [Fact]
    public void Normalize_per_channel_or_over_the_whole_image()
    {
        using var scope = NewDisposeScope();
        var image = tensor(new double[] { 1, 3, 10, 30 }).reshape(2, 1, 1, 2);

        var perChannel = IntensityTransforms.Normalize(image, channelWise: true);
        var whole = IntensityTransforms.Normalize(image, channelWise: false);

        Assert.Equal(new double[] { -1, 1, -1, 1 }, NiftiVolumes.Values(perChannel), Close);
        // Mean 11; population variance (100 + 64 + 1 + 361) / 4 = 131.5.
        var deviation = Math.Sqrt(131.5);
        Assert.Equal(new[] { -10 / deviation, -8 / deviation, -1 / deviation, 19 / deviation }, NiftiVolumes.Values(whole), Close);
    }

    [Fact]
    public void Normalize_a_constant_image_only_removes_its_mean()
    {
        using var scope = NewDisposeScope();

        Assert.Equal(new double[] { 0, 0, 0 }, NiftiVolumes.Values(IntensityTransforms.Normalize(Row(5, 5, 5))), Close);
    }

    private static readonly Func<double, double, bool> Close = (a, b) => Math.Abs(a - b) < 1e-6;

    /// <summary>A one-channel image [1, 1, 1, n].</summary>
    private static Tensor Row(params double[] values) => tensor(values).to_type(float32).reshape(1, 1, 1, values.Length);
}
