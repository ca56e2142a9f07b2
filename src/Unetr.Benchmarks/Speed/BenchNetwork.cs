using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using Unetr.Benchmarks.Networks;
using static TorchSharp.torch;

namespace Unetr.Benchmarks.Speed;

/// <summary>A network the speed suites time, with what a workload needs to feed it.</summary>
/// <param name="Name">The name used on the command line and in reports.</param>
/// <param name="InputShape">Per-sample input shape (channels, then spatial sizes).</param>
/// <param name="Classes">Output channels, for the loss's labels.</param>
/// <param name="MultiplyAccumulates">Compile-time MACs of one sample's forward (the generator's per-voxel convention).</param>
/// <param name="Create">Builds the network with fresh weights.</param>
public sealed record BenchNetwork(
    string Name,
    IReadOnlyList<long> InputShape,
    long Classes,
    long MultiplyAccumulates,
    Func<nn.Module<Tensor, Tensor>> Create)
{
    /// <summary>The seed layout at 64³, generated.</summary>
    public static BenchNetwork Seed { get; } = new(
        nameof(SeedBench64), SeedBench64.InputShape, SeedBench64.OutputShape[0], SeedBench64.MultiplyAccumulates, () => new SeedBench64());

    /// <summary>The MONAI layout at 96³, generated.</summary>
    public static BenchNetwork Monai { get; } = new(
        nameof(MonaiBench96), MonaiBench96.InputShape, MonaiBench96.OutputShape[0], MonaiBench96.MultiplyAccumulates, () => new MonaiBench96());

    /// <summary>The MONAI layout at 96³, composed by hand from the same blocks.</summary>
    public static BenchNetwork MonaiHandWritten { get; } = new(
        nameof(HandWrittenMonaiBench96), MonaiBench96.InputShape, MonaiBench96.OutputShape[0], MonaiBench96.MultiplyAccumulates, () => new HandWrittenMonaiBench96());

    /// <summary>Every network, by <see cref="Name"/>.</summary>
    public static IReadOnlyList<BenchNetwork> All { get; } = new[] { Seed, Monai, MonaiHandWritten };

    /// <summary>Looks a network up by <see cref="Name"/>.</summary>
    public static BenchNetwork Named(string name) =>
        All.SingleOrDefault(network => network.Name == name)
        ?? throw new ArgumentException($"Unknown network '{name}'; expected one of {string.Join(", ", All.Select(n => n.Name))}.", nameof(name));

    /// <summary>The shape of a batch of <paramref name="batch"/> inputs.</summary>
    public long[] BatchShape(long batch) => InputShape.Prepend(batch).ToArray();
}
