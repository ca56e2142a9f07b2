using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using Unetr.Measurement.Ablation;
using Unetr.Measurement.Networks;
using Unetr.Model.Presets;
using static TorchSharp.torch;

namespace Unetr.Measurement.Speed;

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
    /// <summary>The seed network at full width at 64³ (<see cref="SeedUnetr64"/>), generated.</summary>
    public static BenchNetwork SeedFull { get; } = new(
        nameof(SeedUnetr64), SeedUnetr64.InputShape, SeedUnetr64.OutputShape[0], SeedUnetr64.MultiplyAccumulates, () => new SeedUnetr64());

    /// <summary>The seed layout at 64³ narrowed to 192 wide and decoder widths 16–128, generated.</summary>
    public static BenchNetwork Seed { get; } = new(
        nameof(SeedBench64), SeedBench64.InputShape, SeedBench64.OutputShape[0], SeedBench64.MultiplyAccumulates, () => new SeedBench64());

    /// <summary>The MONAI layout at 96³, generated.</summary>
    public static BenchNetwork Monai { get; } = new(
        nameof(MonaiBench96), MonaiBench96.InputShape, MonaiBench96.OutputShape[0], MonaiBench96.MultiplyAccumulates, () => new MonaiBench96());

    /// <summary>The MONAI layout at 96³, composed by hand from the same blocks.</summary>
    public static BenchNetwork MonaiHandWritten { get; } = new(
        nameof(HandWrittenMonaiBench96), MonaiBench96.InputShape, MonaiBench96.OutputShape[0], MonaiBench96.MultiplyAccumulates, () => new HandWrittenMonaiBench96());

    /// <summary>The speed report's networks: both layouts at a size that runs in seconds, and the hand-written twin.</summary>
    public static IReadOnlyList<BenchNetwork> All { get; } = new[] { Seed, Monai, MonaiHandWritten };

    /// <summary>The ablation grid's variants (see <see cref="AblationGrid"/>).</summary>
    public static IReadOnlyList<BenchNetwork> Grid { get; } = AblationGrid.All.Select(variant => variant.ToBenchNetwork()).ToArray();

    /// <summary>The library's presets at their declared sizes (the full-size ones take seconds to minutes per pass on a CPU).</summary>
    public static IReadOnlyList<BenchNetwork> Presets { get; } =
        PresetCatalog.All.Select(p => new BenchNetwork(p.Name, p.Summary.InputShape, p.OutputShape[0], p.Summary.MultiplyAccumulates, p.Create)).ToArray();

    /// <summary>
    /// The networks the BenchmarkDotNet suites run: <see cref="All"/>, or the sets named in <c>UNETR_BENCH_NETWORKS</c>
    /// (comma-separated: <c>speed</c>, <c>grid</c>, <c>presets</c>, or single network names).
    /// </summary>
    public static IEnumerable<string> Selected()
    {
        var chosen = Environment.GetEnvironmentVariable("UNETR_BENCH_NETWORKS");
        if (string.IsNullOrWhiteSpace(chosen))
        {
            return All.Select(n => n.Name);
        }

        return chosen.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .SelectMany(item => item switch
            {
                "speed" => All.Select(n => n.Name),
                "grid" => Grid.Select(n => n.Name),
                "presets" => Presets.Select(n => n.Name),
                _ => new[] { Named(item).Name },
            })
            .Distinct()
            .ToArray();
    }

    /// <summary>Looks a network up by <see cref="Name"/> among <see cref="All"/>, <see cref="Grid"/> and <see cref="Presets"/>.</summary>
    public static BenchNetwork Named(string name)
    {
        var known = All.Append(SeedFull).Concat(Grid).Concat(Presets).ToArray();
        return known.FirstOrDefault(network => network.Name == name)
            ?? throw new ArgumentException($"Unknown network '{name}'; expected speed, grid, presets or one of {string.Join(", ", known.Select(n => n.Name))}.", nameof(name));
    }

    /// <summary>The shape of a batch of <paramref name="batch"/> inputs.</summary>
    public long[] BatchShape(long batch) => InputShape.Prepend(batch).ToArray();
}
