using System;
using System.Linq;
using Unetr.Model.Data;
using Unetr.Model.Training;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Training;

public sealed class AugmentedBatchesTests
{
    private static readonly long[] Window = { 16, 16, 16 };

    private static readonly TrainingOptions NoAugmentation = new()
    {
        BatchSize = 1,
        FlipProbability = 0,
        Rotate90Probability = 0,
        IntensityScale = 0,
        IntensityShift = 0,
    };

    [Fact]
    public void Default_crops_draw_the_volume_then_one_offset_per_axis_then_the_augmentations()
    {
        var data = SyntheticDataset.Training(3, 20);
        var batches = new AugmentedBatches(data, Window, NoAugmentation);
        var random = new SeededRandom(21);
        var replay = new SeededRandom(21);
        using var scope = NewDisposeScope();

        var (images, labels) = batches.Next(random);

        // The order runs that predate balanced crops depend on: volume, z/y/x offsets, three flips, rotation, scale, shift.
        var (image, label) = data.Get(replay.Next(data.Count));
        for (var axis = 0; axis < 3; axis++)
        {
            var start = replay.Next(20 - 16 + 1);
            image = image.narrow(axis + 1, start, 16);
            label = label.narrow(axis, start, 16);
        }

        for (var draw = 0; draw < 6; draw++)
        {
            replay.NextUInt64();
        }

        Assert.True(Tensors.Identical(image.unsqueeze(0), images));
        Assert.True(Tensors.Identical(label.unsqueeze(0), labels));
        Assert.Equal(replay.State, random.State);
    }

    [Fact]
    public void Foreground_crops_contain_foreground_and_replay_from_a_saved_state()
    {
        var batches = new AugmentedBatches(SyntheticDataset.Training(4, 24), Window, NoAugmentation with { BatchSize = 4, ForegroundCropProbability = 1 });
        var random = new SeededRandom(8);
        var saved = random.State;
        using var scope = NewDisposeScope();

        var (images, labels) = batches.Next(random);
        random.State = saved;
        var (again, againLabels) = batches.Next(random);
        var (other, _) = batches.Next(new SeededRandom(9));

        Assert.Equal(new long[] { 4, 1, 16, 16, 16 }, images.shape);
        Assert.All(Enumerable.Range(0, 4), i => Assert.True(labels[i].gt(0).any().item<bool>()));
        Assert.True(Tensors.Identical(images, again));
        Assert.True(Tensors.Identical(labels, againLabels));
        Assert.False(Tensors.Identical(images, other));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0.5)]
    public void Volumes_smaller_than_the_window_are_padded(double? foreground)
    {
        var batches = new AugmentedBatches(SyntheticDataset.Training(2, 12), Window, NoAugmentation with { BatchSize = 2, ForegroundCropProbability = foreground });
        using var scope = NewDisposeScope();

        var (images, labels) = batches.Next(new SeededRandom(1));

        Assert.Equal(new long[] { 2, 1, 16, 16, 16 }, images.shape);
        Assert.Equal(new long[] { 2, 16, 16, 16 }, labels.shape);
        // 12 of 16 voxels per axis are the volume; the rest is zero padding, two voxels on each side.
        Assert.Equal(0f, images[0, 0, 0, 0, 0].item<float>());
        Assert.NotEqual(0f, images[0, 0, 2, 2, 2].item<float>());
    }

    [Fact]
    public void Foreground_probability_outside_zero_to_one_is_refused()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingOptions { ForegroundCropProbability = 1.5 }.Validate());

        Assert.Contains("ForegroundCropProbability must be a probability in [0, 1]", error.Message);
    }
}
