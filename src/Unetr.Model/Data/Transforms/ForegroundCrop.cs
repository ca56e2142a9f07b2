using System;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Unetr.Model.Data.Transforms;

/// <summary>
/// Crops a volume to the bounding box of its foreground, as MONAI's <c>CropForeground</c>: the voxels where any image
/// channel exceeds a threshold, widened by a margin (and never beyond the volume).
/// </summary>
public static class ForegroundCrop
{
    /// <summary>
    /// The box [Start, End) per spatial axis of the voxels where any channel of <paramref name="image"/> [C, spatial…]
    /// exceeds <paramref name="threshold"/>, widened by <paramref name="margin"/> voxels on each side. An image with no
    /// such voxel gives the whole volume, so that nothing is lost.
    /// </summary>
    public static (long[] Start, long[] End) BoundingBox(Tensor image, double threshold = 0, int margin = 0)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfNegative(margin);
        if (image.dim() < 2)
        {
            throw new ArgumentException($"Expected an image [C, spatial…]; got shape [{string.Join(", ", image.shape)}].", nameof(image));
        }

        using var scope = NewDisposeScope();
        var spatial = image.shape[1..];
        var foreground = image.gt(threshold).any(0);
        var start = new long[spatial.Length];
        var end = spatial.ToArray();
        if (!foreground.any().item<bool>())
        {
            return (start, end);
        }

        for (var axis = 0; axis < spatial.Length; axis++)
        {
            // Reduce the other axes from the last, so the remaining indices stay valid.
            var present = foreground;
            foreach (var other in Enumerable.Range(0, spatial.Length).Where(a => a != axis).Reverse())
            {
                present = present.any(other);
            }

            var positions = present.nonzero().flatten();
            start[axis] = Math.Max(0, positions[0].item<long>() - margin);
            end[axis] = Math.Min(spatial[axis], positions[-1].item<long>() + 1 + margin);
        }

        return (start, end);
    }

    /// <summary>Crops <paramref name="image"/> [C, spatial…] and its <paramref name="label"/> [spatial…] (if any) to their foreground box.</summary>
    /// <returns>New tensors (copies, not views).</returns>
    public static (Tensor Image, Tensor? Label) Apply(Tensor image, Tensor? label, double threshold = 0, int margin = 0)
    {
        var (start, end) = BoundingBox(image, threshold, margin);
        return (Crop(image, start, end, firstSpatialAxis: 1), label is null ? null : Crop(label, start, end, firstSpatialAxis: 0));
    }

    /// <summary>A contiguous copy of the box [<paramref name="start"/>, <paramref name="end"/>) of the spatial axes from <paramref name="firstSpatialAxis"/> on.</summary>
    public static Tensor Crop(Tensor volume, long[] start, long[] end, int firstSpatialAxis)
    {
        ArgumentNullException.ThrowIfNull(volume);
        using var scope = NewDisposeScope();
        var cropped = volume;
        for (var axis = 0; axis < start.Length; axis++)
        {
            cropped = cropped.narrow(firstSpatialAxis + axis, start[axis], end[axis] - start[axis]);
        }

        return cropped.clone().MoveToOuterDisposeScope();
    }
}
