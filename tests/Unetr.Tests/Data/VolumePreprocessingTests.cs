using System;
using Unetr.Model.Data;
using Unetr.Model.Data.Nifti;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Data;

public sealed class VolumePreprocessingTests
{
    private static readonly Func<double, double, bool> Close = (a, b) => Math.Abs(a - b) < 1e-6;

    [Fact]
    public void Steps_run_as_resample_window_crop_normalise()
    {
        using var scope = NewDisposeScope();
        var image = tensor(new float[] { -1000, 0, 100, 200 }).reshape(1, 1, 1, 4);
        var label = tensor(new long[] { 0, 0, 1, 2 }).reshape(1, 1, 4);
        var preprocessing = new VolumePreprocessing
        {
            Window = new IntensityWindow(0, 200),
            CropForeground = new ForegroundCropping(),
            Normalize = new ZScoreNormalization(),
        };

        var (result, resultLabel) = preprocessing.Apply(image, label, new[] { 1.0, 1, 1 });

        // Window → [0, 0, 0.5, 1]; the crop keeps the voxels above 0 → [0.5, 1]; z-score → [−1, 1].
        Assert.Equal(new long[] { 1, 1, 1, 2 }, result.shape);
        Assert.Equal(new double[] { -1, 1 }, NiftiVolumes.Values(result), Close);
        Assert.Equal(new double[] { 1, 2 }, NiftiVolumes.Values(resultLabel!));
    }

    [Fact]
    public void Target_spacing_is_given_along_x_y_z_and_applied_in_the_tensor_order()
    {
        using var scope = NewDisposeScope();
        var zyx = new VolumePreprocessing { TargetSpacing = new[] { 2.0, 1, 1 }, AxisOrder = VoxelAxisOrder.Zyx };
        var xyz = zyx with { AxisOrder = VoxelAxisOrder.Xyz };

        // The same [4, 4, 4] tensor: x is its last axis in Zyx order and its first in Xyz order.
        Assert.Equal(new long[] { 1, 4, 4, 2 }, zyx.Apply(zeros(1, 4, 4, 4), null, new[] { 1.0, 1, 1 }).Image.shape);
        Assert.Equal(new long[] { 1, 2, 4, 4 }, xyz.Apply(zeros(1, 4, 4, 4), null, new[] { 1.0, 1, 1 }).Image.shape);
        Assert.Equal(new[] { 3.0, 2, 1 }, zyx.InTensorOrder(new[] { 1.0, 2, 3 }));
        Assert.Equal(new[] { 1.0, 2, 1 }, xyz.InTensorOrder(new[] { 1.0, 2, 0 }));
    }

    [Fact]
    public void Target_spacing_needs_three_positive_values()
    {
        var error = Assert.Throws<ArgumentException>(() => new VolumePreprocessing { TargetSpacing = new[] { 1.0, 1 } });

        Assert.Contains("three positive numbers (x, y, z); got [1, 1]", error.Message);
    }
}
