using System;
using TorchSharp;
using static TorchSharp.torch;

namespace Unetr.Model.Data;

/// <summary>
/// Deterministic procedural volumes that need no download: a bright ball (class 1) and a dimmer box (class 2) of
/// seeded size and position in Gaussian noise; everything else is background (class 0).
/// </summary>
public static class SyntheticVolume
{
    /// <summary>Makes one volume of <paramref name="size"/>³: image [1, D, H, W] (float32) and label [D, H, W] (int64).</summary>
    public static (Tensor Image, Tensor Label) Create(int seed, int size)
    {
        if (size < 8)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "A synthetic volume needs an edge of at least 8 voxels.");
        }

        var random = new Random(seed);
        using var scope = NewDisposeScope();
        var axis = arange(size, dtype: float32);
        var z = axis.view(-1, 1, 1);
        var y = axis.view(1, -1, 1);
        var x = axis.view(1, 1, -1);

        double Between(double low, double high) => low + random.NextDouble() * (high - low);
        var radius = Between(size * 0.12, size * 0.22);
        var (cz, cy, cx) = (Between(radius, size - radius), Between(radius, size - radius), Between(radius, size - radius));
        var ball = ((z - cz).square() + (y - cy).square() + (x - cx).square()) <= radius * radius;

        var half = (int)Between(size * 0.08, size * 0.16);
        var (bz, by, bx) = (random.Next(half, size - half), random.Next(half, size - half), random.Next(half, size - half));
        var box = (z - bz).abs() <= half & (y - by).abs() <= half & (x - bx).abs() <= half;

        var label = zeros(new long[] { size, size, size }, int64);
        label = label.masked_fill(box, 2).masked_fill(ball, 1);

        var generator = new Generator((ulong)seed);
        var image = randn(new long[] { size, size, size }, generator: generator) * 0.3f;
        image = image + ball.to_type(float32) * Between(1.5, 2.5) + box.to_type(float32) * Between(0.8, 1.2);
        return (image.unsqueeze(0).MoveToOuterDisposeScope(), label.MoveToOuterDisposeScope());
    }
}
