using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using Unetr.Model.Training;
using static TorchSharp.torch;

namespace Unetr.Model.Data.Transforms;

/// <summary>
/// Random training crops balanced between foreground and background, as MONAI's <c>RandCropByPosNegLabel</c>: with a
/// given probability the crop is centred on a random foreground voxel (label &gt; 0), otherwise on a random background
/// voxel. Centres near the border are shifted so that the window fits, and volumes smaller than the window are padded
/// (image and label with 0) first.
/// </summary>
public static class BalancedCrop
{
    /// <summary>
    /// Crops a window out of <paramref name="image"/> [C, spatial…] and <paramref name="label"/> [spatial…]. Draws
    /// exactly two numbers from <paramref name="random"/> (the kind of centre, then the voxel), so the same state
    /// gives the same crop. When the chosen kind has no voxel the other kind is used.
    /// </summary>
    /// <param name="image">The image.</param>
    /// <param name="label">Its label map.</param>
    /// <param name="window">Spatial size of the crop.</param>
    /// <param name="foregroundProbability">Chance of a foreground centre: pos / (pos + neg) in MONAI's terms.</param>
    /// <param name="random">The generator.</param>
    /// <returns>Views of the (padded) inputs, in the caller's dispose scope.</returns>
    public static (Tensor Image, Tensor Label) Sample(Tensor image, Tensor label, IReadOnlyList<long> window, double foregroundProbability, SeededRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        RequireMatching(image, label, window);
        if (!(foregroundProbability >= 0 && foregroundProbability <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(foregroundProbability), foregroundProbability, "The foreground probability must be in [0, 1].");
        }

        var centre = ChooseCentre(label, random.Chance(foregroundProbability), random);
        var before = PaddingBefore(label.shape, window);
        (image, label) = PadToWindow(image, label, window);
        var start = centre.Select((c, axis) => Math.Clamp(c + before[axis] - window[axis] / 2, 0, label.shape[axis] - window[axis])).ToArray();
        return (Window(image, start, window, firstSpatialAxis: 1), Window(label, start, window, firstSpatialAxis: 0));
    }

    /// <summary>
    /// Pads <paramref name="image"/> [C, spatial…] and <paramref name="label"/> [spatial…] with 0 on both sides
    /// (the odd voxel after) wherever they are smaller than <paramref name="window"/>; returns them unchanged otherwise.
    /// </summary>
    public static (Tensor Image, Tensor Label) PadToWindow(Tensor image, Tensor label, IReadOnlyList<long> window)
    {
        RequireMatching(image, label, window);
        var spatial = label.shape;
        if (spatial.Zip(window).All(pair => pair.First >= pair.Second))
        {
            return (image, label);
        }

        var before = PaddingBefore(spatial, window);
        // nn.functional.pad lists (before, after) pairs from the last axis backwards.
        var pads = Enumerable.Range(0, spatial.Length).Reverse()
            .SelectMany(axis => new[] { before[axis], Math.Max(0, window[axis] - spatial[axis]) - before[axis] })
            .ToArray();
        return (nn.functional.pad(image, pads), nn.functional.pad(label, pads));
    }

    /// <summary>A window of <paramref name="size"/> from <paramref name="start"/> along the spatial axes (a view).</summary>
    internal static Tensor Window(Tensor volume, IReadOnlyList<long> start, IReadOnlyList<long> size, int firstSpatialAxis)
    {
        for (var axis = 0; axis < size.Count; axis++)
        {
            volume = volume.narrow(firstSpatialAxis + axis, start[axis], size[axis]);
        }

        return volume;
    }

    private static long[] ChooseCentre(Tensor label, bool foreground, SeededRandom random)
    {
        using var scope = NewDisposeScope();
        var flat = label.flatten();
        var candidates = (foreground ? flat.gt(0) : flat.eq(0)).nonzero();
        if (candidates.shape[0] == 0)
        {
            candidates = (foreground ? flat.eq(0) : flat.gt(0)).nonzero();
        }

        if (candidates.shape[0] > int.MaxValue)
        {
            throw new ArgumentException($"A label map of {flat.shape[0]:N0} voxels is too large to draw crop centres from.", nameof(label));
        }

        var index = candidates[random.Next((int)candidates.shape[0]), 0].item<long>();
        var centre = new long[label.dim()];
        for (var axis = centre.Length - 1; axis >= 0; axis--)
        {
            centre[axis] = index % label.shape[axis];
            index /= label.shape[axis];
        }

        return centre;
    }

    private static long[] PaddingBefore(long[] spatial, IReadOnlyList<long> window) =>
        spatial.Select((size, axis) => Math.Max(0, window[axis] - size) / 2).ToArray();

    private static void RequireMatching(Tensor image, Tensor label, IReadOnlyList<long> window)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(window);
        if (image.dim() != label.dim() + 1 || !image.shape[1..].SequenceEqual(label.shape) || window.Count != label.dim() || window.Any(w => w < 1))
        {
            throw new ArgumentException(
                $"Expected an image [C, spatial…], a label map [spatial…] of the same spatial size and a positive window per spatial axis; got image [{string.Join(", ", image.shape)}], label [{string.Join(", ", label.shape)}], window [{string.Join(", ", window)}].");
        }
    }
}
