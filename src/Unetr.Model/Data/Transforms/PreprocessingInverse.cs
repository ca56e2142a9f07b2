using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Unetr.Model.Data.Transforms;

/// <summary>
/// The voxel-grid steps <see cref="VolumePreprocessing.Prepare"/> took on one image (resampling to a spacing, then
/// cropping to the foreground) and their inverse: <see cref="Labels"/> maps class scores the network predicted on the
/// preprocessed grid back onto the image's own voxels, as MONAI's <c>Invertd</c> does.
/// </summary>
/// <remarks>
/// The crop is undone by padding with background (probability 1 for class 0, 0 for the others) and the resampling by
/// resampling each class's probability (softmax of the scores) trilinearly back to the original size, on the same
/// cell-centred grid as <see cref="Resampling"/> (<c>align_corners=False</c>), before the argmax. Probabilities rather
/// than the nearest label: when the network ran on a coarser grid, interpolating probabilities puts each boundary
/// between the coarse voxel centres instead of repeating the coarse grid's staircase at the fine resolution, and
/// padding has a natural value. This is MONAI's <c>Invertd</c> with <c>nearest_interp=False</c> followed by the
/// argmax. Classes are resampled one at a time with a running argmax, so the memory needed is about two volumes of the
/// original size whatever the number of classes.
/// </remarks>
public sealed class PreprocessingInverse
{
    /// <summary>Records the grid steps; all four lists have one entry per spatial axis, in the tensor's axis order.</summary>
    /// <param name="originalSize">The image's spatial size as read.</param>
    /// <param name="resampledSize">Its size after resampling (equal to <paramref name="originalSize"/> without resampling).</param>
    /// <param name="cropStart">First voxel of the foreground crop in the resampled grid.</param>
    /// <param name="cropEnd">One past the last voxel of the crop (equal to <paramref name="resampledSize"/> without cropping).</param>
    /// <exception cref="ArgumentException">The lists differ in length, a size is not positive, or the crop is empty or leaves the resampled grid.</exception>
    public PreprocessingInverse(IReadOnlyList<long> originalSize, IReadOnlyList<long> resampledSize, IReadOnlyList<long> cropStart, IReadOnlyList<long> cropEnd)
    {
        ArgumentNullException.ThrowIfNull(originalSize);
        ArgumentNullException.ThrowIfNull(resampledSize);
        ArgumentNullException.ThrowIfNull(cropStart);
        ArgumentNullException.ThrowIfNull(cropEnd);
        var axes = originalSize.Count;
        if (axes is < 2 or > 3 || resampledSize.Count != axes || cropStart.Count != axes || cropEnd.Count != axes
            || originalSize.Concat(resampledSize).Any(size => size < 1)
            || Enumerable.Range(0, axes).Any(a => cropStart[a] < 0 || cropStart[a] >= cropEnd[a] || cropEnd[a] > resampledSize[a]))
        {
            throw new ArgumentException(
                $"Expected 2 or 3 spatial axes with positive sizes and a non-empty crop inside the resampled grid; got original [{string.Join(", ", originalSize)}], "
                + $"resampled [{string.Join(", ", resampledSize)}], crop [{string.Join(", ", cropStart)}] to [{string.Join(", ", cropEnd)}].");
        }

        OriginalSize = originalSize.ToArray();
        ResampledSize = resampledSize.ToArray();
        CropStart = cropStart.ToArray();
        CropEnd = cropEnd.ToArray();
    }

    /// <summary>No grid step: the preprocessed image has the original voxels.</summary>
    public static PreprocessingInverse Identity(IReadOnlyList<long> size)
    {
        ArgumentNullException.ThrowIfNull(size);
        return new PreprocessingInverse(size, size, new long[size.Count], size);
    }

    /// <summary>The image's spatial size as read.</summary>
    public IReadOnlyList<long> OriginalSize { get; }

    /// <summary>Its spatial size after resampling.</summary>
    public IReadOnlyList<long> ResampledSize { get; }

    /// <summary>First voxel of the foreground crop, in the resampled grid.</summary>
    public IReadOnlyList<long> CropStart { get; }

    /// <summary>One past the last voxel of the foreground crop, in the resampled grid.</summary>
    public IReadOnlyList<long> CropEnd { get; }

    /// <summary>The spatial size the network sees: the crop's.</summary>
    public IReadOnlyList<long> PreprocessedSize => CropEnd.Select((end, axis) => end - CropStart[axis]).ToArray();

    /// <summary>Whether the image was resampled to another size.</summary>
    public bool Resamples => !OriginalSize.SequenceEqual(ResampledSize);

    /// <summary>Whether the resampled image was cropped.</summary>
    public bool Crops => CropStart.Any(start => start != 0) || !CropEnd.SequenceEqual(ResampledSize);

    /// <summary>
    /// The label map on the original grid from class scores (logits or probabilities) on the preprocessed grid: pad
    /// the crop with background, resample the class probabilities back to <see cref="OriginalSize"/>, take the argmax.
    /// </summary>
    /// <param name="scores">[K, <see cref="PreprocessedSize"/>…], K ≥ 1 classes (class 0 the background).</param>
    /// <returns>A new int64 tensor [<see cref="OriginalSize"/>…] of class indices.</returns>
    /// <exception cref="ArgumentException"><paramref name="scores"/> does not have the preprocessed size.</exception>
    public Tensor Labels(Tensor scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.dim() != OriginalSize.Count + 1 || !scores.shape.Skip(1).SequenceEqual(PreprocessedSize))
        {
            throw new ArgumentException(
                $"Expected class scores [K, {string.Join(", ", PreprocessedSize)}] on the preprocessed grid; got [{string.Join(", ", scores.shape)}].", nameof(scores));
        }

        using var scope = NewDisposeScope();
        if (!Resamples)
        {
            // Without resampling, argmax then padding with class 0 is the same and needs no probabilities.
            return Pad(scores.argmax(0), 0).MoveToOuterDisposeScope();
        }

        var probabilities = scores.to_type(float32).softmax(0);
        var best = full(OriginalSize.ToArray(), -1f, float32);
        var labels = zeros(OriginalSize.ToArray(), int64);
        for (var k = 0; k < probabilities.shape[0]; k++)
        {
            using var step = NewDisposeScope();
            var resampled = Resampling.Image(Pad(probabilities[k].unsqueeze(0), k == 0 ? 1 : 0), OriginalSize).squeeze(0);

            // Strictly greater, so that ties keep the lower class, as argmax does.
            var better = resampled.gt(best);
            labels.masked_fill_(better, k);
            best.copy_(where(better, resampled, best));
        }

        return labels.MoveToOuterDisposeScope();
    }

    /// <summary>Pads the crop back to the resampled grid along the trailing spatial axes of <paramref name="volume"/>.</summary>
    private Tensor Pad(Tensor volume, double background)
    {
        if (!Crops)
        {
            return volume;
        }

        // nn.functional.pad lists (before, after) pairs from the last axis backwards.
        var padding = Enumerable.Range(0, OriginalSize.Count).Reverse().SelectMany(axis => new[] { CropStart[axis], ResampledSize[axis] - CropEnd[axis] }).ToArray();
        return nn.functional.pad(volume, padding, PaddingModes.Constant, background);
    }
}
