using System.Linq;
using BenchmarkDotNet.Running;
using Unetr.CommandLine;
using Unetr.Measurement.Ablation;
using Unetr.Measurement.Memory;
using Unetr.Measurement.Onnx;
using Unetr.Measurement.Speed;
using Unetr.Model.Runtime;

namespace Unetr.Benchmarks;

/// <summary>
/// Entry point: <c>speed</c> runs the one-shot speed report, <c>memory</c> the resident-memory check of a long training
/// run, <c>memory-checkpointing</c> the peak memory and step time of the BTCV network with and without activation
/// checkpointing, <c>heap</c> the C-heap reuse check, <c>winograd</c> Winograd F(2³, 3³) against the direct
/// route for the seed decoder's convolutions, <c>training-layouts</c> channels-last against row-major convolutions in
/// training, per shape and per train step, <c>ablate</c> the ablation grid, <c>onnx</c> ONNX Runtime against
/// TorchSharp; anything else goes to BenchmarkDotNet's switcher.
/// </summary>
public static class Program
{
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

        if (args.Length > 0 && args[0] == "onnx")
        {
            return OnnxComparison.Run(args.Skip(1).ToArray());
        }

        if (args.Length > 0 && args[0] == "heap")
        {
            return HeapReuseCheck.Run();
        }

        if (args.Length > 0 && args[0] == "memory-checkpointing")
        {
            return CheckpointingMemory.Run(args.Skip(1).ToArray());
        }

        if (args.Length > 0 && args[0] == "winograd")
        {
            return WinogradReport.Run(args.Skip(1).ToArray());
        }

        if (args.Length > 0 && args[0] == "training-layouts")
        {
            return TrainingLayoutReport.Run(args.Skip(1).ToArray());
        }

        if (args.Length > 0 && args[0] == "memory")
        {
            return MemoryReport.Run(args.Skip(1).ToArray());
        }

        if (args.Length > 0 && args[0] == "ablate")
        {
            // The ablate verb of the command line over this assembly's networks; without a selection, the ablation grid.
            var selected = args.Any(a => a is "--baseline" or "--models") || args.Skip(1).FirstOrDefault() is "job" or "report";
            var grid = new[] { "--models", string.Join(",", AblationGrid.All.Select(v => v.Name)) };
            return UnetrCommandLine.Run(selected ? args : args.Concat(grid).ToArray(), typeof(AblationGrid).Assembly);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
