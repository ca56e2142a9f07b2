using System;
using System.Linq;
using Unetr.Model.Data;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Training;

public sealed class SyntheticDatasetTests
{
    [Fact]
    public void Same_seed_gives_identical_volumes()
    {
        var (image1, label1) = SyntheticVolume.Create(seed: 7, size: 24);
        var (image2, label2) = SyntheticVolume.Create(seed: 7, size: 24);
        using (image1)
        using (label1)
        using (image2)
        using (label2)
        {
            Assert.True(Tensors.Identical(image1, image2));
            Assert.True(Tensors.Identical(label1, label2));
        }
    }

    [Fact]
    public void Different_seeds_give_different_images_and_labels()
    {
        var (image1, label1) = SyntheticVolume.Create(seed: 7, size: 24);
        var (image2, label2) = SyntheticVolume.Create(seed: 8, size: 24);
        using (image1)
        using (label1)
        using (image2)
        using (label2)
        {
            Assert.False(Tensors.Identical(image1, image2));
            Assert.False(Tensors.Identical(label1, label2));
        }
    }

    [Fact]
    public void Volume_has_one_float_channel_and_every_class_labelled()
    {
        for (var seed = 0; seed < 20; seed++)
        {
            var (image, label) = SyntheticVolume.Create(seed, size: 32);
            using (image)
            using (label)
            {
                Assert.Equal(new long[] { 1, 32, 32, 32 }, image.shape);
                Assert.Equal(ScalarType.Float32, image.dtype);
                Assert.Equal(new long[] { 32, 32, 32 }, label.shape);
                Assert.Equal(ScalarType.Int64, label.dtype);
                using var counts = label.flatten().bincount(null, 0);
                Assert.Equal(SyntheticVolume.ClassCount, counts.shape[0]);

                // Every shape keeps a visible part even when the other lies on top of it.
                Assert.All(counts.data<long>().ToArray(), count => Assert.True(count >= 50, $"seed {seed}: class counts [{string.Join(", ", counts.data<long>().ToArray())}]"));
            }
        }
    }

    [Fact]
    public void Dataset_volume_i_is_the_volume_of_seed_first_plus_i()
    {
        var dataset = SyntheticDataset.Create(count: 3, size: 16, seed: 40);

        var (fromDataset, _) = dataset.Get(2);
        var (direct, _) = SyntheticVolume.Create(42, 16);
        using (fromDataset)
        using (direct)
        {
            Assert.True(Tensors.Identical(fromDataset, direct));
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => dataset.Get(3));
    }

    [Fact]
    public void Standard_training_validation_and_test_ranges_do_not_overlap()
    {
        var training = SyntheticDataset.Training(1000, 16);
        var validation = SyntheticDataset.Validation(1000, 16);
        var test = SyntheticDataset.Test(1000, 16);

        Assert.True(training.FirstSeed + training.Count <= validation.FirstSeed);
        Assert.True(validation.FirstSeed + validation.Count <= test.FirstSeed);
    }

    [Fact]
    public void Rejects_a_volume_smaller_than_the_minimum()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticVolume.Create(0, SyntheticVolume.MinimumSize - 1));
    }
}
