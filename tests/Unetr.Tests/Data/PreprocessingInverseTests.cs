using System;
using System.Linq;
using Unetr.Model.Data;
using Unetr.Model.Data.Transforms;
using Unetr.Model.Inference;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Data;

public sealed class PreprocessingInverseTests
{
    [Fact]
    public void Crop_then_invert_puts_every_label_back_at_its_voxel_and_background_around_it()
    {
        using var scope = NewDisposeScope();

        // Foreground (image > 0) fills the box x 3..8, y 2..6, z 1..5; labels vary inside it and are 0 outside.
        var label = zeros(12, 10, 8, dtype: int64);
        label[TensorIndex.Slice(3, 9), TensorIndex.Slice(2, 7), TensorIndex.Slice(1, 6)] = (arange(6 * 5 * 5).reshape(6, 5, 5) % 3).to_type(int64);
        var image = zeros(1, 12, 10, 8);
        image[0, TensorIndex.Slice(3, 9), TensorIndex.Slice(2, 7), TensorIndex.Slice(1, 6)] = tensor(5f);
        var preprocessing = new VolumePreprocessing { CropForeground = new ForegroundCropping() };

        var (prepared, inverse) = preprocessing.Prepare(image, new[] { 1.0, 1, 1 });
        var croppedLabel = label[TensorIndex.Slice(3, 9), TensorIndex.Slice(2, 7), TensorIndex.Slice(1, 6)];
        var restored = inverse.Labels(OneHotScores(croppedLabel, 3));

        Assert.Equal(new long[] { 1, 6, 5, 5 }, prepared.shape);
        Assert.Equal(new long[] { 3, 2, 1 }, inverse.CropStart);
        Assert.Equal(new long[] { 9, 7, 6 }, inverse.CropEnd);
        Assert.False(inverse.Resamples);
        Assert.Equal(new long[] { 12, 10, 8 }, restored.shape);
        Assert.True(restored.equal(label).all().item<bool>(), "The restored label map differs from the original.");
    }

    [Fact]
    public void Resample_then_invert_restores_the_size_and_a_map_of_big_blocks_up_to_their_boundaries()
    {
        using var scope = NewDisposeScope();

        // Anisotropic voxels of 0.75 × 1.5 × 2 mm resampled to 1.5 mm: [40, 36, 30] → [20, 36, 40]. Eight blocks, one
        // class each, split at x = 17, y = 13, z = 11: where the coarse grid straddles a split, the voxel on either side
        // of it may change class, none further away (at most two planes per axis, under 10 % of the voxels).
        var (nx, ny, nz) = (40L, 36L, 30L);
        var x = arange(nx).reshape(nx, 1, 1);
        var y = arange(ny).reshape(1, ny, 1);
        var z = arange(nz).reshape(1, 1, nz);
        var label = (x.ge(17).to_type(int64) + 2 * y.ge(13).to_type(int64) + 4 * z.ge(11).to_type(int64)).expand(nx, ny, nz).contiguous();
        var preprocessing = new VolumePreprocessing { TargetSpacing = new[] { 1.5, 1.5, 1.5 } };

        var (prepared, inverse) = preprocessing.Prepare(label.unsqueeze(0).to_type(float32), new[] { 0.75, 1.5, 2.0 });
        var coarseLabel = Resampling.Label(label, inverse.ResampledSize);
        var restored = inverse.Labels(OneHotScores(coarseLabel, 8));

        Assert.Equal(new long[] { 1, 20, 36, 40 }, prepared.shape);
        Assert.Equal(new long[] { nx, ny, nz }, restored.shape);
        var wrong = restored.ne(label);
        var nearBoundary = (x - 16.5).abs().le(1) | (y - 12.5).abs().le(1) | (z - 10.5).abs().le(1);
        Assert.True((wrong & ~nearBoundary).sum().item<long>() == 0, "A voxel away from a block boundary changed class.");
        Assert.InRange(wrong.to_type(float32).mean().item<float>(), 0, 0.1);
    }

    [Fact]
    public void Resample_and_crop_invert_together_with_background_outside_the_crop()
    {
        using var scope = NewDisposeScope();

        // Spacing 2 mm → 1 mm doubles the grid to [16, 16, 16]; the bright cube x, y, z in 2..5 becomes 4..11 there.
        var image = zeros(1, 8, 8, 8);
        image[0, TensorIndex.Slice(2, 6), TensorIndex.Slice(2, 6), TensorIndex.Slice(2, 6)] = tensor(1f);
        var preprocessing = new VolumePreprocessing { TargetSpacing = new[] { 1.0, 1, 1 }, CropForeground = new ForegroundCropping(Threshold: 0.5) };

        var (prepared, inverse) = preprocessing.Prepare(image, new[] { 2.0, 2, 2 });

        // The network calls every voxel of the crop class 2, very confidently.
        var scores = zeros(3, prepared.shape[1], prepared.shape[2], prepared.shape[3]);
        scores[2] = tensor(20f);
        var restored = inverse.Labels(scores);

        Assert.Equal(new long[] { 16, 16, 16 }, inverse.ResampledSize);
        Assert.Equal(new long[] { 4, 4, 4 }, inverse.CropStart);
        Assert.Equal(new long[] { 12, 12, 12 }, inverse.CropEnd);
        var expected = zeros(8, 8, 8, dtype: int64);
        expected[TensorIndex.Slice(2, 6), TensorIndex.Slice(2, 6), TensorIndex.Slice(2, 6)] = tensor(2L);
        Assert.True(restored.equal(expected).all().item<bool>(), "Class 2 should fill exactly the bright cube on the original grid.");
    }

    [Fact]
    public void Without_grid_steps_the_labels_are_the_argmax()
    {
        using var scope = NewDisposeScope();
        var scores = randn(4, 5, 6, 7);
        var inverse = PreprocessingInverse.Identity(new long[] { 5, 6, 7 });

        Assert.True(inverse.Labels(scores).equal(scores.argmax(0)).all().item<bool>());
    }

    [Fact]
    public void Scores_of_another_size_are_refused_with_both_sizes()
    {
        using var scope = NewDisposeScope();
        var inverse = new PreprocessingInverse(new long[] { 8, 8, 8 }, new long[] { 16, 16, 16 }, new long[] { 4, 4, 4 }, new long[] { 12, 12, 12 });

        var error = Assert.Throws<ArgumentException>(() => inverse.Labels(zeros(3, 16, 16, 16)));

        Assert.StartsWith("Expected class scores [K, 8, 8, 8] on the preprocessed grid; got [3, 16, 16, 16].", error.Message);
    }

    [Fact]
    public void A_crop_outside_the_resampled_grid_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new PreprocessingInverse(new long[] { 8, 8, 8 }, new long[] { 8, 8, 8 }, new long[] { 0, 0, 2 }, new long[] { 8, 8, 9 }));

        Assert.Contains("crop [0, 0, 2] to [8, 8, 9]", error.Message);
    }

    [Fact]
    public void The_segmenter_preprocesses_runs_the_network_on_the_prepared_grid_and_answers_on_the_original_one()
    {
        using var scope = NewDisposeScope();
        var image = zeros(1, 8, 8, 8);
        image[0, TensorIndex.Slice(2, 6), TensorIndex.Slice(2, 6), TensorIndex.Slice(2, 6)] = tensor(300f);
        var preprocessing = new VolumePreprocessing
        {
            TargetSpacing = new[] { 1.0, 1, 1 },
            Window = new IntensityWindow(0, 300),
            CropForeground = new ForegroundCropping(Threshold: 0.5),
        };
        long[]? seen = null;
        var maximum = 0.0;

        // A "network" that calls class 1 wherever the windowed image is above one half.
        var segmenter = new VolumeSegmenter(preprocessing, batch =>
        {
            (seen, maximum) = (batch.shape, batch.max().item<float>());
            var foreground = batch.gt(0.5).to_type(float32);
            return cat(new[] { 1 - foreground, foreground }, 1);
        });

        var labels = segmenter.Segment(image, new[] { 2.0, 2, 2 });

        Assert.Equal(new long[] { 1, 1, 8, 8, 8 }, seen);
        Assert.Equal(1.0, maximum, 6);
        Assert.True(labels.equal(image[0].gt(0.5).to_type(int64)).all().item<bool>(), "The label map should be the bright cube on the image's grid.");
    }

    private static Tensor OneHotScores(Tensor label, int classes) =>
        nn.functional.one_hot(label, classes).permute(3, 0, 1, 2).to_type(float32) * 10;
}
