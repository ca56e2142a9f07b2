using System;
using Unetr.Model.Data.Transforms;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Data;

public sealed class ForegroundCropTests
{
    [Fact]
    public void Box_spans_every_voxel_above_the_threshold()
    {
        using var scope = NewDisposeScope();
        var image = zeros(1, 5, 6, 7);
        image[0, 2, 3, 4] = tensor(1f);
        image[0, 3, 1, 4] = tensor(1f);

        var (start, end) = ForegroundCrop.BoundingBox(image);

        Assert.Equal(new long[] { 2, 1, 4 }, start);
        Assert.Equal(new long[] { 4, 4, 5 }, end);
    }

    [Fact]
    public void Margin_widens_the_box_but_not_beyond_the_volume()
    {
        using var scope = NewDisposeScope();
        var image = zeros(1, 5, 6, 7);
        image[0, 2, 3, 4] = tensor(1f);

        var (start, end) = ForegroundCrop.BoundingBox(image, margin: 1);
        var (wideStart, wideEnd) = ForegroundCrop.BoundingBox(image, margin: 10);

        Assert.Equal(new long[] { 1, 2, 3 }, start);
        Assert.Equal(new long[] { 4, 5, 6 }, end);
        Assert.Equal(new long[] { 0, 0, 0 }, wideStart);
        Assert.Equal(new long[] { 5, 6, 7 }, wideEnd);
    }

    [Fact]
    public void Any_channel_counts_and_the_threshold_is_strict()
    {
        using var scope = NewDisposeScope();
        var image = zeros(2, 4, 4, 4);
        image[1, 1, 2, 3] = tensor(0.9f);
        image[0, 0, 0, 0] = tensor(0.5f);

        var (start, end) = ForegroundCrop.BoundingBox(image, threshold: 0.5);

        Assert.Equal(new long[] { 1, 2, 3 }, start);
        Assert.Equal(new long[] { 2, 3, 4 }, end);
    }

    [Fact]
    public void Image_without_foreground_keeps_the_whole_volume()
    {
        using var scope = NewDisposeScope();

        var (start, end) = ForegroundCrop.BoundingBox(zeros(1, 3, 4, 5));

        Assert.Equal(new long[] { 0, 0, 0 }, start);
        Assert.Equal(new long[] { 3, 4, 5 }, end);
    }

    [Fact]
    public void Image_and_label_are_cropped_together()
    {
        using var scope = NewDisposeScope();
        var image = zeros(1, 4, 4, 4);
        image[0, 1, 1, 2] = tensor(5f);
        image[0, 2, 2, 3] = tensor(6f);
        var label = arange(64, dtype: int64).reshape(4, 4, 4);

        var (cropped, croppedLabel) = ForegroundCrop.Apply(image, label);

        Assert.Equal(new long[] { 1, 2, 2, 2 }, cropped.shape);
        Assert.Equal(new long[] { 2, 2, 2 }, croppedLabel!.shape);
        Assert.Equal(5f, cropped[0, 0, 0, 0].item<float>());
        Assert.Equal(6f, cropped[0, 1, 1, 1].item<float>());
        // Label voxel [1, 1, 2] is 16 + 4 + 2 and [2, 2, 3] is 32 + 8 + 3.
        Assert.Equal(22L, croppedLabel[0, 0, 0].item<long>());
        Assert.Equal(43L, croppedLabel[1, 1, 1].item<long>());
    }

    [Fact]
    public void Negative_margin_is_refused()
    {
        using var scope = NewDisposeScope();

        Assert.Throws<ArgumentOutOfRangeException>(() => ForegroundCrop.BoundingBox(zeros(1, 2, 2, 2), margin: -1));
    }
}
