using System;
using System.Linq;
using Unetr.Model.Data.Transforms;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Data;

public sealed class ResamplingTests
{
    private static readonly Func<double, double, bool> Close = (a, b) => Math.Abs(a - b) < 1e-6;

    [Theory]
    [InlineData(new long[] { 6, 5, 4 }, new[] { 1.0, 1, 1 }, new[] { 2.0, 2.5, 4 }, new long[] { 3, 2, 1 })]
    [InlineData(new long[] { 3, 7, 1 }, new[] { 1.0, 0.75, 1 }, new[] { 2.0, 1.5, 5 }, new long[] { 2, 4, 1 })]
    [InlineData(new long[] { 4, 4, 4 }, new[] { 2.0, 2, 2 }, new[] { 1.0, 1, 1 }, new long[] { 8, 8, 8 })]
    public void Output_size_is_size_times_spacing_over_target_rounded_half_away_from_zero(long[] size, double[] spacing, double[] target, long[] expected)
    {
        Assert.Equal(expected, Resampling.OutputSize(size, spacing, target));
    }

    [Fact]
    public void Upsampling_an_image_interpolates_between_voxel_centres_keeping_the_extent()
    {
        using var scope = NewDisposeScope();
        var ramp = tensor(new float[] { 0, 1, 2, 3 }).reshape(1, 1, 1, 4);

        var resampled = Resampling.Image(ramp, new long[] { 1, 1, 8 });

        // Output voxel i sits at input position i/2 − 1/4; the ends are held at the edge values.
        Assert.Equal(new double[] { 0, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3 }, NiftiVolumes.Values(resampled), Close);
    }

    [Fact]
    public void Downsampling_an_image_samples_between_pairs_of_voxels()
    {
        using var scope = NewDisposeScope();
        var ramp = tensor(new float[] { 0, 1, 2, 3 }).reshape(1, 1, 4, 1);

        var resampled = Resampling.Image(ramp, new long[] { 1, 2, 1 });

        Assert.Equal(new double[] { 0.5, 2.5 }, NiftiVolumes.Values(resampled), Close);
    }

    [Fact]
    public void Labels_take_the_nearest_voxel_and_keep_their_type()
    {
        using var scope = NewDisposeScope();
        var labels = tensor(new long[] { 0, 1, 2, 3 }).reshape(4, 1, 1);

        var up = Resampling.Label(labels, new long[] { 8, 1, 1 });
        var down = Resampling.Label(tensor(new long[] { 0, 1, 2, 3, 4, 5 }).reshape(1, 6, 1), new long[] { 1, 3, 1 });
        var odd = Resampling.Label(tensor(new long[] { 0, 1, 2, 3, 4 }).reshape(1, 1, 5), new long[] { 1, 1, 2 });

        Assert.Equal(new long[] { 0, 0, 1, 1, 2, 2, 3, 3 }, up.flatten().data<long>().ToArray());
        Assert.Equal(new long[] { 1, 3, 5 }, down.flatten().data<long>().ToArray());
        // ⌊(2i + 1)·5/4⌋ for i = 0, 1.
        Assert.Equal(new long[] { 1, 3 }, odd.flatten().data<long>().ToArray());
        Assert.Equal(ScalarType.Int64, up.dtype);
    }

    [Fact]
    public void To_spacing_resamples_image_and_label_onto_the_same_grid()
    {
        using var scope = NewDisposeScope();
        var image = arange(8, dtype: float32).reshape(1, 2, 2, 2);
        var label = arange(8, dtype: int64).reshape(2, 2, 2);

        var (resampled, resampledLabel) = Resampling.ToSpacing(image, label, new[] { 2.0, 2, 2 }, new[] { 1.0, 1, 1 });

        Assert.Equal(new long[] { 1, 4, 4, 4 }, resampled.shape);
        Assert.Equal(new long[] { 4, 4, 4 }, resampledLabel!.shape);
        // Each input voxel becomes a 2 × 2 × 2 block of its label; its corner voxel of the image keeps the value.
        Assert.Equal(7L, resampledLabel[3, 2, 3].item<long>());
        Assert.Equal(7f, resampled[0, 3, 3, 3].item<float>());
        Assert.Equal(0f, resampled[0, 0, 0, 0].item<float>());
    }

    [Fact]
    public void Sizes_of_the_wrong_rank_are_refused()
    {
        using var scope = NewDisposeScope();

        var error = Assert.Throws<ArgumentException>(() => Resampling.Image(zeros(1, 2, 2, 2), new long[] { 4, 4 }));

        Assert.Contains("got spatial [2, 2, 2] and size [4, 4]", error.Message);
    }
}
