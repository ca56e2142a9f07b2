using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Unetr.Measurement.Speed;

namespace Unetr.Benchmarks.Speed;

/// <summary>
/// Inference of one sample per network (eval and inference mode, <see cref="BenchSettings.Threads"/> threads, fixed
/// seed). A pass takes a fraction of a second to seconds, so few iterations are enough and a short run stays short.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 7)]
public class ForwardBenchmarks
{
    private ForwardWorkload workload = null!;

    /// <summary>Which network, by <see cref="BenchNetwork.Name"/>: the speed networks, or those <c>UNETR_BENCH_NETWORKS</c> names (see <see cref="BenchNetwork.Selected"/>).</summary>
    [ParamsSource(nameof(Networks))]
    public string Network { get; set; } = "";

    /// <summary>The values of <see cref="Network"/>.</summary>
    public static IEnumerable<string> Networks => BenchNetwork.Selected();

    /// <summary>Builds the network and its input.</summary>
    [GlobalSetup]
    public void Setup()
    {
        BenchSettings.Apply();
        var spec = BenchNetwork.Named(Network);
        workload = new ForwardWorkload(spec.Create(), spec);
    }

    /// <summary>Frees the network's native memory.</summary>
    [GlobalCleanup]
    public void Cleanup() => workload.Dispose();

    /// <summary>One forward pass.</summary>
    [Benchmark]
    public void Forward()
    {
        using var logits = workload.Run();
    }
}
