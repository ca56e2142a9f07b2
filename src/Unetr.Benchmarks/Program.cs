using System.Linq;
using BenchmarkDotNet.Running;
using Unetr.Measurement.Ablation;
using Unetr.Measurement.Memory;
using Unetr.Measurement.Speed;
using Unetr.Model.Runtime;

namespace Unetr.Benchmarks;

/// <summary>
/// Entry point: <c>speed</c> runs the one-shot speed report, <c>memory</c> the resident-memory check of a long training
/// run, <c>memory-checkpointing</c> the peak memory and step time of the BTCV network with and without activation checkpointing, <c>heap</c> the C-heap reuse check, <c>ablate</c> the ablation grid; anything else goes to BenchmarkDotNet's switcher.
/// </summary>
public static class Program
{
    private const string Launcher = "dotnet run -c Release --project src/Unetr.Benchmarks --";

    public static int Main(string[] args)
    {
        // Before anything loads libtorch: the OpenMP runtime reads its wait policy once, at load. Every verb (and the
        // processes BenchmarkDotNet and the speed report start) runs with the same policy and the same C-heap settings.
        var runtime = UnetrRuntime.Configure();
        var waitPolicy = runtime.OpenMpWaitPolicy;
        if (args.Length > 0 && args[0] is "speed" or "memory" or "heap")
        {
            System.Console.WriteLine($"OpenMP wait policy: {waitPolicy}");
            System.Console.WriteLine($"C heap: {runtime.Heap}");
        }

        if (args.Length > 0 && args[0] == "speed")
        {
            return SpeedReport.Run(args.Skip(1).ToArray());
        }

        if (args.Length > 0 && args[0] == "heap")
        {
            return HeapReuseCheck.Run();
        }

        if (args.Length > 0 && args[0] == "memory-checkpointing")
        {
            return CheckpointingMemory.Run(args.Skip(1).ToArray());
        }

        if (args.Length > 0 && args[0] == "memory")
        {
            return MemoryReport.Run(args.Skip(1).ToArray());
        }

        if (args.Length > 0 && args[0] == "ablate")
        {
            return AblationCommand.Invoke(args, $"{Launcher} {string.Join(" ", args)}", waitPolicy);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
