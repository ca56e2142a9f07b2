using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace Unetr.Model.Data;

/// <summary>
/// One deterministic procedural volume that needs no download: an ellipsoid (class 1) and a box (class 2) of seeded
/// size, position and brightness over a background with a smooth intensity gradient and Gaussian noise; everything
/// else is background (class 0). Where the two shapes overlap the ellipsoid lies on top.
/// </summary>
/// <remarks>
/// The brightness ranges of the two shapes overlap, so intensity alone does not tell them apart; the noise level and
/// the background gradient also vary from volume to volume.
/// </remarks>
public static class SyntheticVolume
{
    /// <summary>Number of label classes, background included.</summary>
    public const int ClassCount = 3;

    /// <summary>The smallest edge a volume may have.</summary>
    public const int MinimumSize = 8;

    /// <summary>Names of the classes by label value.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = new[] { "background", "ellipsoid", "box" };

    /// <summary>Makes the volume of <paramref name="seed"/> with edge <paramref name="size"/>: image [1, D, H, W] (float32) and label [D, H, W] (int64).</summary>
    /// <param name="seed">Any integer; equal seeds give identical tensors.</param>
    /// <param name="size">Edge of the cube in voxels, at least <see cref="MinimumSize"/>.</param>
    public static (Tensor Image, Tensor Label) Create(int seed, int size)
    {
        if (size < MinimumSize)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, $"A synthetic volume needs an edge of at least {MinimumSize} voxels.");
        }

        // System.Random with a seed uses a fixed algorithm on every .NET version, so volumes do not change with the runtime.
        var random = new Random(seed);
        double Between(double low, double high) => low + random.NextDouble() * (high - low);

        using var scope = NewDisposeScope();
        var axis = arange(size, dtype: float32);
        var z = axis.view(-1, 1, 1);
        var y = axis.view(1, -1, 1);
        var x = axis.view(1, 1, -1);

        var (rz, ry, rx) = (Between(0.16, 0.28) * size, Between(0.16, 0.28) * size, Between(0.16, 0.28) * size);
        var (cz, cy, cx) = (Between(rz, size - 1 - rz), Between(ry, size - 1 - ry), Between(rx, size - 1 - rx));
        var ellipsoid = ((z - cz) / rz).square() + ((y - cy) / ry).square() + ((x - cx) / rx).square() <= 1.0;

        var (hz, hy, hx) = (Between(0.10, 0.22) * size, Between(0.10, 0.22) * size, Between(0.10, 0.22) * size);
        var (bz, by, bx) = (Between(hz, size - 1 - hz), Between(hy, size - 1 - hy), Between(hx, size - 1 - hx));
        var box = ((z - bz).abs() <= hz) & ((y - by).abs() <= hy) & ((x - bx).abs() <= hx);

        var label = zeros(new long[] { size, size, size }, int64).masked_fill(box, 2).masked_fill(ellipsoid, 1);

        // A linear gradient across the volume stands in for a scanner's bias field: the same tissue is not equally
        // bright everywhere, so a fixed threshold cannot segment it.
        var (gz, gy, gx) = (Between(-0.3, 0.3), Between(-0.3, 0.3), Between(-0.3, 0.3));
        var gradient = (z / size - 0.5) * gz + (y / size - 0.5) * gy + (x / size - 0.5) * gx;
        var mean = zeros(new long[] { size, size, size }, float32)
            .masked_fill(box, Between(0.5, 1.2))
            .masked_fill(ellipsoid, Between(0.9, 1.8));
        var noiseLevel = Between(0.15, 0.35);
        var generator = new Generator(unchecked((ulong)seed));
        var image = mean + gradient + randn(new long[] { size, size, size }, generator: generator) * noiseLevel;
        return (image.unsqueeze(0).MoveToOuterDisposeScope(), label.MoveToOuterDisposeScope());
    }
}
