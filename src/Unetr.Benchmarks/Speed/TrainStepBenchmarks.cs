using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Unetr.Measurement.Speed;

namespace Unetr.Benchmarks.Speed;

/// <summary>One training step per network (see <see cref="TrainStepWorkload"/>), batch of one, fixed threads and seed.</summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class TrainStepBenchmarks
{
    private TrainStepWorkload workload = null!;

    /// <summary>Which network, by <see cref="BenchNetwork.Name"/>: the speed networks, or those <c>UNETR_BENCH_NETWORKS</c> names (see <see cref="BenchNetwork.Selected"/>).</summary>
    [ParamsSource(nameof(Networks))]
    public string Network { get; set; } = "";

    /// <summary>The values of <see cref="Network"/>.</summary>
    public static IEnumerable<string> Networks => BenchNetwork.Selected();

    /// <summary>Builds the network, its optimiser, input and labels.</summary>
    [GlobalSetup]
    public void Setup()
    {
        BenchSettings.Apply();
        var spec = BenchNetwork.Named(Network);
        workload = new TrainStepWorkload(spec.Create(), spec);
    }

    /// <summary>Frees native memory.</summary>
    [GlobalCleanup]
    public void Cleanup() => workload.Dispose();

    /// <summary>Forward, loss, backward, AdamW step.</summary>
    [Benchmark]
    public float TrainStep() => workload.Run();
}
