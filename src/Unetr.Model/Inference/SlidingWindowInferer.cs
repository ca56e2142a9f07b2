using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Unetr.Model.Inference;

/// <summary>How the predictions of overlapping windows are blended.</summary>
public enum WindowWeighting
{
    /// <summary>Every voxel of a window counts the same.</summary>
    Constant,

    /// <summary>A Gaussian centred on the window (σ = <see cref="SlidingWindowInferer.SigmaScale"/> × window edge) favours window centres, as MONAI's "gaussian" mode.</summary>
    Gaussian,
}

/// <summary>
/// Runs a network whose input size is fixed over volumes of any size: overlapping windows, batched, blended with
/// importance weights; volumes smaller than the window are padded and the result cropped back. For a volume that
/// is exactly one window the result equals a plain forward.
/// </summary>
public sealed class SlidingWindowInferer
{
    /// <summary>Creates an inferer for windows of <paramref name="window"/> (spatial sizes, no batch or channel axis).</summary>
    /// <param name="window">Window size per spatial axis, e.g. the network's declared image size.</param>
    /// <param name="overlap">Fraction of a window shared with its neighbour, in [0, 1).</param>
    /// <param name="batchSize">Windows per network call.</param>
    /// <param name="weighting">How overlapping predictions are blended.</param>
    public SlidingWindowInferer(IReadOnlyList<long> window, double overlap = 0.5, int batchSize = 4, WindowWeighting weighting = WindowWeighting.Gaussian)
    {
        ArgumentNullException.ThrowIfNull(window);
        if (window.Count is < 1 or > 3 || window.Any(w => w < 1))
        {
            throw new ArgumentException($"Window must have 1 to 3 positive sizes; got [{string.Join(", ", window)}].", nameof(window));
        }

        if (double.IsNaN(overlap) || overlap < 0 || overlap >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(overlap), overlap, "Overlap must be in [0, 1).");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        Window = window.ToArray();
        Overlap = overlap;
        BatchSize = batchSize;
        Weighting = weighting;
    }

    /// <summary>Gaussian σ as a fraction of the window edge (MONAI's default 0.125).</summary>
    public const double SigmaScale = 0.125;

    /// <summary>Window size per spatial axis.</summary>
    public IReadOnlyList<long> Window { get; }

    /// <summary>Fraction of a window shared with its neighbour.</summary>
    public double Overlap { get; }

    /// <summary>Windows per network call.</summary>
    public int BatchSize { get; }

    /// <summary>How overlapping predictions are blended.</summary>
    public WindowWeighting Weighting { get; }

    /// <summary>Predicts <paramref name="volume"/> [B, C, spatial…] with <paramref name="network"/>, window by window, without gradients.</summary>
    /// <returns>[B, K, spatial…] where K is the network's output channels.</returns>
    public Tensor Run(Tensor volume, Func<Tensor, Tensor> network)
    {
        ArgumentNullException.ThrowIfNull(volume);
        ArgumentNullException.ThrowIfNull(network);
        var dims = Window.Count;
        if (volume.dim() != dims + 2)
        {
            throw new ArgumentException(
                $"Expected a volume [B, C, {dims} spatial sizes] for a {dims}D window; got [{string.Join(", ", volume.shape)}].",
                nameof(volume));
        }

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var size = volume.shape.Skip(2).ToArray();
        var (padded, padBefore) = PadToWindow(volume, size);
        var paddedSize = padded.shape.Skip(2).ToArray();
        var importance = ImportanceMap(padded.device);
        var starts = Enumerable.Range(0, dims).Select(i => Starts(paddedSize[i], Window[i], Interval(Window[i]))).ToArray();
        var windows = Cartesian(starts).ToList();

        Tensor? sum = null;
        Tensor? weight = null;
        for (var first = 0; first < windows.Count; first += BatchSize)
        {
            var group = windows.Skip(first).Take(BatchSize).ToList();
            var batch = cat(group.Select(start => padded[Region(start)]).ToArray(), 0);
            var predicted = network(batch);
            var perWindow = predicted.split(volume.shape[0], 0);
            if (sum is null)
            {
                sum = zeros(new[] { volume.shape[0], predicted.shape[1] }.Concat(paddedSize).ToArray(), predicted.dtype, padded.device);
                weight = zeros(new long[] { 1, 1 }.Concat(paddedSize).ToArray(), predicted.dtype, padded.device);
            }

            for (var i = 0; i < group.Count; i++)
            {
                var region = Region(group[i]);
                sum[region].add_(perWindow[i] * importance);
                weight![region].add_(importance);
            }
        }

        var blended = sum! / weight!;
        var crop = new[] { TensorIndex.Colon, TensorIndex.Colon }
            .Concat(Enumerable.Range(0, dims).Select(i => TensorIndex.Slice(padBefore[i], padBefore[i] + size[i])))
            .ToArray();
        return blended[crop].contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Step between window starts: the window less its overlap, at least one voxel.</summary>
    private long Interval(long window) => Math.Max(1, (long)(window * (1 - Overlap)));

    /// <summary>Window starts along one axis: every interval, the last one flush with the end.</summary>
    private static long[] Starts(long size, long window, long interval)
    {
        var count = (long)Math.Ceiling((double)(size - window) / interval) + 1;
        return Enumerable.Range(0, (int)count).Select(i => Math.Min(i * interval, size - window)).Distinct().ToArray();
    }

    private static IEnumerable<long[]> Cartesian(long[][] axes) =>
        axes.Aggregate(
            (IEnumerable<long[]>)new[] { Array.Empty<long>() },
            (prefixes, axis) => prefixes.SelectMany(prefix => axis.Select(start => prefix.Append(start).ToArray())));

    private TensorIndex[] Region(long[] start) =>
        new[] { TensorIndex.Colon, TensorIndex.Colon }
            .Concat(start.Select((s, i) => TensorIndex.Slice(s, s + Window[i])))
            .ToArray();

    /// <summary>Zero-pads axes smaller than the window, split evenly before and after (the extra voxel after).</summary>
    private (Tensor Padded, long[] Before) PadToWindow(Tensor volume, long[] size)
    {
        var before = size.Select((s, i) => Math.Max(Window[i] - s, 0) / 2).ToArray();
        var after = size.Select((s, i) => Math.Max(Window[i] - s, 0) - before[i]).ToArray();
        if (before.All(b => b == 0) && after.All(a => a == 0))
        {
            return (volume, before);
        }

        // torch's pad lists the last axis first.
        var pad = Enumerable.Range(0, size.Length).Reverse().SelectMany(i => new[] { before[i], after[i] }).ToArray();
        return (nn.functional.pad(volume, pad), before);
    }

    /// <summary>[1, 1, window…] weights: ones, or a Gaussian normalised to a peak of 1.</summary>
    private Tensor ImportanceMap(Device device)
    {
        var shape = new long[] { 1, 1 }.Concat(Window).ToArray();
        if (Weighting == WindowWeighting.Constant)
        {
            return ones(shape, float32, device);
        }

        var map = ones(shape, float32, device);
        for (var axis = 0; axis < Window.Count; axis++)
        {
            var edge = Window[axis];
            var sigma = SigmaScale * edge;
            var position = arange(edge, float32, device) - (edge - 1) / 2.0;
            var profile = (-(position * position) / (2 * sigma * sigma)).exp();
            var view = Enumerable.Repeat(1L, Window.Count + 2).ToArray();
            view[axis + 2] = edge;
            map = map * profile.view(view);
        }

        return map / map.max();
    }
}
