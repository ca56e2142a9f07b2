using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Unetr.Model.Data.Transforms;

/// <summary>
/// Resamples volumes onto a grid of another voxel spacing that covers the same extent: image values linearly,
/// label maps by nearest neighbour.
/// </summary>
/// <remarks>
/// Voxels are treated as cells: output voxel i of n along an axis of m input voxels samples the input at the
/// continuous position (i + ½)·m/n − ½ (PyTorch's <c>align_corners=False</c>), so both grids span the same field of
/// view and resampling a prediction back to the original size lands on the original voxels. Positions before the
/// first or after the last input centre take the edge value.
/// </remarks>
public static class Resampling
{
    /// <summary>The most voxels (per channel) <see cref="OutputSize"/> accepts: 2³¹ − 1, 8 GiB of float32.</summary>
    public const long MaxVoxels = int.MaxValue;

    /// <summary>
    /// The size of the resampled grid: round(size × spacing / target) per axis (halves away from zero), at least 1.
    /// All three lists are in the same axis order.
    /// </summary>
    /// <exception cref="ResampledSizeException">The grid would have more than <see cref="MaxVoxels"/> voxels.</exception>
    public static long[] OutputSize(IReadOnlyList<long> size, IReadOnlyList<double> spacing, IReadOnlyList<double> target)
    {
        ArgumentNullException.ThrowIfNull(size);
        ArgumentNullException.ThrowIfNull(spacing);
        ArgumentNullException.ThrowIfNull(target);
        if (spacing.Count != size.Count || target.Count != size.Count)
        {
            throw new ArgumentException($"Expected one spacing and one target per axis of [{string.Join(", ", size)}]; got {spacing.Count} spacings and {target.Count} targets.");
        }

        if (spacing.Concat(target).Any(value => !(value > 0) || !double.IsFinite(value)))
        {
            throw new ArgumentException($"Spacings must be positive and finite; got spacing [{string.Join(", ", spacing)}], target [{string.Join(", ", target)}].");
        }

        var exact = size.Select((n, axis) => Math.Max(1, Math.Round(n * spacing[axis] / target[axis], MidpointRounding.AwayFromZero))).ToArray();
        var voxels = exact.Aggregate(1.0, (product, n) => product * n);
        if (!(voxels <= MaxVoxels))
        {
            throw new ResampledSizeException(string.Format(CultureInfo.InvariantCulture,
                "resampling [{0}] voxels of spacing [{1}] to spacing [{2}] gives [{3}] = {4:G3} voxels, more than the {5:N0} a resampled volume may have; check the spacing (pixdim) in the header",
                string.Join(", ", size), Invariant(spacing, "R"), Invariant(target, "R"), Invariant(exact, "G6"), voxels, MaxVoxels));
        }

        return exact.Select(n => (long)n).ToArray();
    }


    /// <summary>Resamples an image [C, D, H, W] (trilinear) or [C, H, W] (bilinear) to the spatial <paramref name="size"/>.</summary>
    /// <returns>A new float32 tensor.</returns>
    public static Tensor Image(Tensor image, IReadOnlyList<long> size)
    {
        ArgumentNullException.ThrowIfNull(image);
        RequireSpatial(image.shape.Skip(1).ToArray(), size, "image [C, spatial…]");
        var mode = size.Count == 3 ? InterpolationMode.Trilinear : InterpolationMode.Bilinear;
        using var scope = NewDisposeScope();
        var batch = image.to_type(float32).unsqueeze(0);
        return nn.functional.interpolate(batch, size.ToArray(), mode: mode, align_corners: false).squeeze(0).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Resamples a label map [D, H, W] or [H, W] of any dtype to <paramref name="size"/> by nearest neighbour: output
    /// voxel i takes input voxel ⌊(i + ½)·m/n⌋, so no new label values appear.
    /// </summary>
    public static Tensor Label(Tensor label, IReadOnlyList<long> size)
    {
        ArgumentNullException.ThrowIfNull(label);
        RequireSpatial(label.shape, size, "label map [spatial…]");
        using var scope = NewDisposeScope();
        var result = label;
        for (var axis = 0; axis < size.Count; axis++)
        {
            var (from, to) = (label.shape[axis], size[axis]);
            if (from == to)
            {
                continue;
            }

            // ⌊(2i + 1)·m / 2n⌋ in integers: the centre of output cell i falls in this input cell.
            var sources = Enumerable.Range(0, (int)to).Select(i => Math.Min(from - 1, (2L * i + 1) * from / (2 * to))).ToArray();
            result = result.index_select(axis, tensor(sources));
        }

        return (ReferenceEquals(result, label) ? label.clone() : result).MoveToOuterDisposeScope();
    }

    /// <summary>Resamples a volume from <paramref name="spacing"/> to <paramref name="target"/> (both in the tensor's spatial axis order).</summary>
    /// <param name="image">[C, spatial…].</param>
    /// <param name="label">The label map on the same grid, or <c>null</c>.</param>
    /// <param name="spacing">Current spacing per spatial axis.</param>
    /// <param name="target">Wanted spacing per spatial axis.</param>
    public static (Tensor Image, Tensor? Label) ToSpacing(Tensor image, Tensor? label, IReadOnlyList<double> spacing, IReadOnlyList<double> target)
    {
        ArgumentNullException.ThrowIfNull(image);
        var size = OutputSize(image.shape.Skip(1).ToArray(), spacing, target);
        return (Image(image, size), label is null ? null : Label(label, size));
    }

    private static string Invariant(IEnumerable<double> values, string format) =>
        string.Join(", ", values.Select(value => value.ToString(format, CultureInfo.InvariantCulture)));

    private static void RequireSpatial(long[] spatial, IReadOnlyList<long> size, string what)
    {
        ArgumentNullException.ThrowIfNull(size);
        if (spatial.Length is < 2 or > 3 || size.Count != spatial.Length || size.Any(s => s < 1))
        {
            throw new ArgumentException(
                $"Expected an {what} with 2 or 3 spatial axes and as many positive target sizes; got spatial [{string.Join(", ", spatial)}] and size [{string.Join(", ", size)}].");
        }
    }
}
