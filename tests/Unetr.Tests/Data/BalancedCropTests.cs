using System;
using System.Linq;
using Unetr.Model.Data.Transforms;
using Unetr.Model.Training;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Data;

public sealed class BalancedCropTests
{
    private static readonly long[] Window = { 8, 8, 8 };

    [Fact]
    public void Same_seed_gives_the_same_crops_and_another_seed_other_crops()
    {
        using var scope = NewDisposeScope();
        var (image, label) = Volume();

        var first = Starts(image, label, seed: 1, draws: 20);
        var again = Starts(image, label, seed: 1, draws: 20);
        var other = Starts(image, label, seed: 2, draws: 20);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Each_crop_draws_exactly_two_numbers()
    {
        using var scope = NewDisposeScope();
        var (image, label) = Volume();
        var random = new SeededRandom(9);
        var expected = new SeededRandom(9);
        expected.NextUInt64();
        expected.NextUInt64();

        BalancedCrop.Sample(image, label, Window, 0.5, random);

        Assert.Equal(expected.State, random.State);
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(0.75)]
    public void Crops_are_centred_on_foreground_at_the_stated_rate(double probability)
    {
        using var scope = NewDisposeScope();
        var (image, label) = Volume();
        var random = new SeededRandom(42);
        const int draws = 400;

        // The foreground cube sits in the middle, so a window centred on it is never shifted: the crop's centre voxel
        // is the chosen one. Background centres near the border are shifted, but only towards more background.
        var onForeground = Enumerable.Range(0, draws).Count(_ =>
        {
            using var draw = NewDisposeScope();
            var (_, crop) = BalancedCrop.Sample(image, label, Window, probability, random);
            return crop[4, 4, 4].item<long>() > 0;
        });

        // Binomial(400, p) lies within ±4 standard deviations with probability above 0.9999.
        var deviation = Math.Sqrt(draws * probability * (1 - probability));
        Assert.InRange(onForeground, draws * probability - 4 * deviation, draws * probability + 4 * deviation);
    }

    [Fact]
    public void Probability_one_always_and_zero_never_centres_on_foreground()
    {
        using var scope = NewDisposeScope();
        var (image, label) = Volume();
        var random = new SeededRandom(3);

        Assert.All(Enumerable.Range(0, 50), _ => Assert.True(BalancedCrop.Sample(image, label, Window, 1, random).Label[4, 4, 4].item<long>() > 0));
        Assert.All(Enumerable.Range(0, 50), _ => Assert.Equal(0L, BalancedCrop.Sample(image, label, Window, 0, random).Label[4, 4, 4].item<long>()));
    }

    [Fact]
    public void Centres_near_the_border_are_shifted_so_the_window_fits()
    {
        using var scope = NewDisposeScope();
        var label = zeros(new long[] { 16, 16, 16 }, int64);
        label[15, 0, 15] = tensor(1L);
        var image = label.unsqueeze(0).to_type(float32);

        var (crop, cropLabel) = BalancedCrop.Sample(image, label, Window, 1, new SeededRandom(0));

        Assert.Equal(new long[] { 1, 8, 8, 8 }, crop.shape);
        Assert.Equal(1L, cropLabel[7, 0, 7].item<long>());
    }

    [Fact]
    public void Volumes_smaller_than_the_window_are_padded_with_zeros_around_them()
    {
        using var scope = NewDisposeScope();
        var image = ones(1, 3, 8, 5);
        var label = ones(new long[] { 3, 8, 5 }, int64);

        var (crop, cropLabel) = BalancedCrop.Sample(image, label, new long[] { 4, 8, 8 }, 0.5, new SeededRandom(0));

        // D: 3 → 4 with 0 before and 1 after; W: 5 → 8 with 1 before and 2 after.
        Assert.Equal(new long[] { 1, 4, 8, 8 }, crop.shape);
        Assert.Equal(3 * 8 * 5, crop.sum().item<float>());
        Assert.Equal(new double[] { 0, 1, 1, 1, 1, 1, 0, 0 }, NiftiVolumes.Values(crop[0, 0, 0]));
        Assert.Equal(0f, crop[0, 3, 0, 2].item<float>());
        Assert.Equal(3L * 8 * 5, cropLabel.sum().item<long>());
    }

    [Fact]
    public void Image_and_label_of_different_sizes_are_refused()
    {
        using var scope = NewDisposeScope();

        var error = Assert.Throws<ArgumentException>(() => BalancedCrop.Sample(zeros(1, 8, 8, 8), zeros(new long[] { 8, 8, 9 }, int64), Window, 0.5, new SeededRandom(0)));

        Assert.Contains("got image [1, 8, 8, 8], label [8, 8, 9], window [8, 8, 8]", error.Message);
    }

    /// <summary>A 32³ volume whose only foreground is the cube [14, 18)³ (64 of 32 768 voxels); the image is its coordinates' sum.</summary>
    private static (Tensor Image, Tensor Label) Volume()
    {
        var label = zeros(new long[] { 32, 32, 32 }, int64);
        label[TensorIndex.Slice(14, 18), TensorIndex.Slice(14, 18), TensorIndex.Slice(14, 18)] = tensor(1L);
        var axis = arange(32, dtype: float32);
        var image = (axis.view(-1, 1, 1) + axis.view(1, -1, 1) * 100 + axis.view(1, 1, -1) * 10_000).unsqueeze(0);
        return (image, label);
    }

    /// <summary>The crop origin of each of <paramref name="draws"/> crops, read back from the image's coordinate code.</summary>
    private static long[] Starts(Tensor image, Tensor label, long seed, int draws)
    {
        var random = new SeededRandom(seed);
        return Enumerable.Range(0, draws).Select(_ => (long)BalancedCrop.Sample(image, label, Window, 0.5, random).Image[0, 0, 0, 0].item<float>()).ToArray();
    }
}
