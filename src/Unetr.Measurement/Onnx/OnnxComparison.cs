using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Unetr.Measurement.Networks;
using Unetr.Measurement.Speed;
using Unetr.Model.Compiled;
using Unetr.Model.Inference;
using Unetr.Model.Presets;
using Unetr.Onnx;
using static TorchSharp.torch;

namespace Unetr.Measurement.Onnx;

/// <summary>
/// The <c>onnx</c> benchmark: forward time of ONNX Runtime (CPU execution provider) against TorchSharp for the BTCV
/// network at 96³ and the seed network at full width at 64³ (<c>SeedUnetr64</c>), on the same threads and inputs, in alternating rounds; the exported file
/// sizes; and, unless <c>--no-sliding</c>, sliding-window inference of a 181 × 217 × 181 volume with both engines.
/// </summary>
public static class OnnxComparison
{
    /// <summary>The volume size of the sliding-window comparison (a brain MRI at 1 mm, as MNI152).</summary>
    public static readonly long[] SlidingVolume = { 181, 217, 181 };

    /// <summary>Runs the comparison and prints its table.</summary>
    /// <param name="args"><c>--rounds N</c> (default 6) timed rounds per network; <c>--no-sliding</c> skips the volume.</param>
    /// <returns>0.</returns>
    public static int Run(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var rounds = int.Parse(CommandArguments.Option(args, "--rounds") ?? "6", CultureInfo.InvariantCulture);
        var sliding = !args.Contains("--no-sliding");
        var folder = Directory.CreateTempSubdirectory("unetr-onnx-bench-").FullName;
        try
        {
            Console.WriteLine($"Threads: {get_num_threads()} for both engines (libtorch intra-op; ONNX Runtime IntraOpNumThreads), batch 1, {rounds} alternating rounds after one warm-up.");
            Console.WriteLine("network          input            file MB   TorchSharp s   ONNX Runtime s   ORT/Torch (IQR)        max |diff|");
            Compare<MonaiBtcvUnetr>(folder, rounds, sliding);
            Compare<SeedUnetr64>(folder, rounds, sliding: false);
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void Compare<TNet>(string folder, int rounds, bool sliding)
        where TNet : nn.Module<Tensor, Tensor>, ICompiledNetwork, new()
    {
        manual_seed(1);
        using var network = new TNet();
        network.eval();
        var path = Path.Combine(folder, typeof(TNet).Name + ".onnx");
        OnnxExport.Save(network, path);
        using var onnx = OnnxRuntimeNetwork.Open(path);
        using var input = randn(new long[] { 1 }.Concat(TNet.InputShape).ToArray());

        double difference;
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            difference = (network.call(input) - onnx.Forward(input)).abs().max().item<float>();
        }

        var timing = Timing.Paired(() => Forward(() => onnx.Forward(input)), () => Forward(() => network.call(input)), rounds);
        Console.WriteLine(FormattableString.Invariant(
            $"{typeof(TNet).Name,-16} {Shape(TNet.InputShape),-16} {new FileInfo(path).Length / 1e6,7:F1}   {timing.SecondMedian,12:F3}   {timing.FirstMedian,14:F3}   {timing.Ratio,5:F2} ({timing.Low:F2}–{timing.High:F2})   {difference:E1}"));

        if (sliding)
        {
            SlidingWindow<TNet>(network, onnx);
        }
    }

    private static void SlidingWindow<TNet>(nn.Module<Tensor, Tensor> network, OnnxRuntimeNetwork onnx)
        where TNet : ICompiledNetwork
    {
        var inferer = new SlidingWindowInferer(TNet.InputShape.Skip(1).ToArray(), overlap: 0.5, batchSize: 1);
        using var volume = randn(new long[] { 1, TNet.InputShape[0] }.Concat(SlidingVolume).ToArray());
        Tensor? torchLabels = null;
        Tensor? onnxLabels = null;
        var torchSeconds = Timing.Seconds(() => torchLabels = Labels(inferer, volume, network.call));
        var onnxSeconds = Timing.Seconds(() => onnxLabels = Labels(inferer, volume, onnx.Forward));
        using (torchLabels)
        using (onnxLabels)
        {
            var agreement = torchLabels!.eq(onnxLabels!).to(float32).mean().item<float>();
            Console.WriteLine(FormattableString.Invariant(
                $"  sliding window over {Shape(SlidingVolume)} (window {Shape(inferer.Window)}, overlap 0.5, 1 window per call): TorchSharp {torchSeconds:F1} s, ONNX Runtime {onnxSeconds:F1} s (ORT/Torch {onnxSeconds / torchSeconds:F2}); labels agree on {agreement:P4} of voxels"));
        }
    }

    private static Tensor Labels(SlidingWindowInferer inferer, Tensor volume, Func<Tensor, Tensor> predict)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return inferer.Run(volume, predict).argmax(1).MoveToOuterDisposeScope();
    }

    private static void Forward(Func<Tensor> forward)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        forward();
    }

    private static string Shape(IEnumerable<long> shape) => "[" + string.Join(", ", shape.Select(size => size.ToString(CultureInfo.InvariantCulture))) + "]";
}
