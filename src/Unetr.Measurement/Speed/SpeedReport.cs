using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text.Json;
using TorchSharp;
using Unetr.Measurement.Networks;
using Unetr.Model.Checkpoints;
using Unetr.Model.Runtime;
using static TorchSharp.torch;

namespace Unetr.Measurement.Speed;

/// <summary>
/// The <c>speed</c> command: in one run, generated vs hand-written TorchSharp, generated vs PyTorch (same weights,
/// same input, same threads) for forward and train step per layout, and forward FLOP/s against a GEMM peak measured
/// in the same run. Timings on a shared machine are noisy; each comparison is taken close together in time and the
/// machine's load average is printed with the figures.
/// </summary>
public static class SpeedReport
{
    private const string Script = "bench/pytorch/unetr_torch.py";

    /// <summary>Runs the report; <paramref name="args"/> may hold <c>--repeats N</c>, <c>--python PATH</c>, <c>--no-pytorch</c>,
    /// <c>--breakdown</c> (also time a train step's parts on both sides), <c>--pytorch-heap same|default</c> (the PyTorch
    /// worker inherits this process's C-heap settings, the default, or runs with glibc's own).</summary>
    public static int Run(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var repeats = int.Parse(CommandArguments.Option(args, "--repeats") ?? "3", CultureInfo.InvariantCulture);
        var python = CommandArguments.Option(args, "--python") ?? Environment.GetEnvironmentVariable("UNETR_PYTHON") ?? "/usr/bin/python3";
        var withPyTorch = !args.Contains("--no-pytorch");
        var breakdown = args.Contains("--breakdown");
        var pytorchHeap = CommandArguments.Option(args, "--pytorch-heap") ?? "same";
        if (pytorchHeap is not ("same" or "default"))
        {
            Console.Error.WriteLine($"--pytorch-heap must be 'same' or 'default'; got '{pytorchHeap}'.");
            return 2;
        }

        BenchSettings.Apply();
        Console.WriteLine($"UNETR speed report: TorchSharp {typeof(torch).Assembly.GetName().Version}, {torch.get_num_threads()} threads, batch {BenchSettings.Batch}, {repeats} timed repeats (median)");
        Console.WriteLine($"load average at start: {LoadAverage()}");
        if (withPyTorch)
        {
            Console.WriteLine(pytorchHeap == "same"
                ? "PyTorch worker: same OpenMP wait policy and C-heap settings as this process"
                : "PyTorch worker: same OpenMP wait policy, glibc's default C heap (--pytorch-heap default)");
        }

        var (matmulPeak, oneDnnPeak) = GemmPeak();
        var peak = Math.Max(matmulPeak, oneDnnPeak);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"GEMM peak (float32, best of 10 per shape): {peak / 1e9:F1} GFLOP/s = the better of matmul 1024², 2048², 3072² ({matmulPeak / 1e9:F1}) "
            + $"and oneDNN 4096 × 512 × 512, 4096 × 1024 × 1024 as 1×1×1 convolutions ({oneDnnPeak / 1e9:F1})"));
        Console.WriteLine();

        CompareHandWritten(repeats);

        var rows = new List<string[]> { new[] { "network", "side", "forward s", "train step s", "fwd FLOP/s", "of peak" } };
        var ratios = new List<string>();
        foreach (var (network, layout) in new[] { (BenchNetwork.Seed, PyTorchCase.Seed), (BenchNetwork.Monai, PyTorchCase.Monai) })
        {
            using var side = new TorchSharpSide(network);
            if (!withPyTorch)
            {
                var (forward, train) = side.Measure(repeats);
                rows.Add(Row(network, "TorchSharp (generated)", forward, train, peak));
                continue;
            }

            // Round by round, alternating with a PyTorch worker on the same weights, so both sides see the same load.
            var casePath = WriteCase(network, layout, side.Weights, side.InputPath, side.OutputPath, repeats);
            using var worker = PyTorchWorker.Start(python, FindScript(), casePath, BenchSettings.Threads, sameHeap: pytorchHeap == "same");
            var forwardRounds = Timing.PairedTimed(() => worker.Run("forward"), side.TimeForward, 2 * repeats);
            var trainRounds = Timing.PairedTimed(() => worker.Run("train"), side.TimeTrainStep, 2 * repeats);
            rows.Add(Row(network, "TorchSharp (generated)", forwardRounds.SecondMedian, trainRounds.SecondMedian, peak));
            rows.Add(Row(network, $"PyTorch {worker.Torch}", forwardRounds.FirstMedian, trainRounds.FirstMedian, peak));
            ratios.Add(string.Create(CultureInfo.InvariantCulture,
                $"{network.Name}: max |TorchSharp − PyTorch| = {worker.MaxAbsDiff:E2} (goal ≤ 1e-4, {(worker.MaxAbsDiff <= 1e-4 ? "met" : "missed")}); PyTorch/TorchSharp time, median of {forwardRounds.Ratios.Count} paired rounds (middle half): "
                + $"forward {forwardRounds.Ratio:F2}× ({forwardRounds.Low:F2}–{forwardRounds.High:F2}, {forwardRounds.Against(1.2)}), "
                + $"train step {trainRounds.Ratio:F2}× ({trainRounds.Low:F2}–{trainRounds.High:F2}, {trainRounds.Against(1.2)}); goal ≥ 1.2×"));
            if (breakdown)
            {
                ratios.Add(Breakdown(network, side, worker, 2 * repeats));
            }
        }

        Console.WriteLine();
        PrintTable(rows);
        Console.WriteLine();
        foreach (var line in ratios)
        {
            Console.WriteLine(line);
        }

        Console.WriteLine("Times are medians of the paired rounds; the PyTorch worker (bench/pytorch/unetr_torch.py --serve) times itself");
        Console.WriteLine("forward FLOP/s = 2 × compile-time MACs (the per-voxel convention, ModelSummary.MacConvention) / median time; goal ≥ 50 % of the GEMM peak");
        Console.WriteLine($"load average at end: {LoadAverage()}");
        return 0;
    }

    // The comparison runs first in the process, while glibc's heap is still growing: three untimed passes per side.
    private const int HandWrittenWarmups = 3;

    // Counterbalanced: half the rounds with the generated network (and its train workload) built first, half with the
    // hand-written one first, so that where each lands in memory favours neither side across the pooled rounds.
    private static void CompareHandWritten(int repeats)
    {
        var spec = BenchNetwork.Monai;
        using var input = torch.randn(spec.BatchShape(BenchSettings.Batch));

        // The source of the weights stays alive and runs once first: in earlier runs the network that took the
        // process's first memory ran slower whichever it was, so neither timed network may reuse that memory.
        using var source = new MonaiBench96();
        source.eval();
        Forward(source, input);
        var weights = source.state_dict();

        var difference = 0.0;
        var forwardHalves = new List<PairedTiming>();
        var trainHalves = new List<PairedTiming>();
        foreach (var generatedFirst in new[] { true, false })
        {
            var (generated, handWritten) = BuildPair(generatedFirst, weights);
            using (torch.inference_mode())
            {
                using var a = generated.call(input);
                using var b = handWritten.call(input);
                difference = Math.Max(difference, (a - b).abs().max().item<float>());
            }

            forwardHalves.Add(Timing.Paired(() => Forward(generated, input), () => Forward(handWritten, input), repeats, HandWrittenWarmups));

            // The workloads take over the networks (and dispose of them); same seed, so the same input and labels.
            torch.manual_seed(BenchSettings.Seed);
            var first = new TrainStepWorkload(generatedFirst ? generated : handWritten, spec);
            torch.manual_seed(BenchSettings.Seed);
            var second = new TrainStepWorkload(generatedFirst ? handWritten : generated, spec);
            using (first)
            using (second)
            {
                var (trainGenerated, trainHand) = generatedFirst ? (first, second) : (second, first);
                trainHalves.Add(Timing.Paired(() => trainGenerated.Run(), () => trainHand.Run(), repeats, HandWrittenWarmups));
            }
        }

        var forward = PairedTiming.Pool(forwardHalves[0], forwardHalves[1]);
        var train = PairedTiming.Pool(trainHalves[0], trainHalves[1]);
        Console.WriteLine($"generated vs hand-written ({spec.Name}, same weights, max |diff| {difference:E1}), paired rounds, half with each built first, time ratio generated/hand-written:");
        Console.WriteLine($"  forward    {Describe(forward)}");
        Console.WriteLine($"  train step {Describe(train)}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  per build order (generated first / hand-written first): forward {forwardHalves[0].Ratio:F3}× / {forwardHalves[1].Ratio:F3}×, train step {trainHalves[0].Ratio:F3}× / {trainHalves[1].Ratio:F3}×"));
    }

    private static (MonaiBench96 Generated, HandWrittenMonaiBench96 HandWritten) BuildPair(bool generatedFirst, Dictionary<string, Tensor> weights)
    {
        MonaiBench96 generated;
        HandWrittenMonaiBench96 handWritten;
        if (generatedFirst)
        {
            generated = new MonaiBench96();
            handWritten = new HandWrittenMonaiBench96();
        }
        else
        {
            handWritten = new HandWrittenMonaiBench96();
            generated = new MonaiBench96();
        }

        generated.load_state_dict(weights);
        handWritten.load_state_dict(weights);
        generated.eval();
        handWritten.eval();
        return (generated, handWritten);
    }

    /// <summary>Where a train step's time goes on each side: median milliseconds per part over alternating rounds.</summary>
    private static string Breakdown(BenchNetwork network, TorchSharpSide side, PyTorchWorker worker, int rounds)
    {
        string[] names = { "zero_grad", "forward + loss", "backward", "AdamW step" };
        var ours = new List<double[]>();
        var theirs = new List<double[]>();
        side.TrainParts();
        worker.RunTrainParts();
        for (var round = 0; round < rounds; round++)
        {
            ours.Add(side.TrainParts());
            theirs.Add(worker.RunTrainParts());
        }

        var parts = names.Select((name, i) => string.Create(CultureInfo.InvariantCulture,
            $"{name} {1000 * Timing.Median(ours.Select(p => p[i]).ToList()):F1} / {1000 * Timing.Median(theirs.Select(p => p[i]).ToList()):F1}"));
        return $"{network.Name} train step parts, median ms of {rounds} rounds, TorchSharp / PyTorch: {string.Join(", ", parts)}";
    }

    private static string Describe(PairedTiming timing) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{timing.Ratio:F3}×  ({F(timing.FirstMedian)} s vs {F(timing.SecondMedian)} s; middle half of {timing.Ratios.Count} per-round ratios {timing.Low:F3}–{timing.High:F3}: {(timing.IsParityWithinNoise ? "1.00× within noise" : "differs beyond noise")})");

    private static void Forward(nn.Module<Tensor, Tensor> network, Tensor input)
    {
        using var mode = torch.inference_mode();
        using var logits = network.call(input);
    }

    private static string[] Row(BenchNetwork network, string side, double forward, double train, double peak)
    {
        var flops = 2.0 * network.MultiplyAccumulates * BenchSettings.Batch / forward;
        return new[] { network.Name, side, F(forward), F(train), $"{flops / 1e9:F1} G", $"{100 * flops / peak:F0} %" };
    }

    private static string WriteCase(BenchNetwork network, PyTorchCase layout, string weights, string input, string output, int repeats)
    {
        var casePath = Path.Combine(Path.GetDirectoryName(weights)!, "case.json");
        var grid = layout.ImageSize.Select(size => size / layout.PatchSize).ToArray();
        var json = JsonSerializer.Serialize(layout, JsonOptions);
        using (var document = JsonDocument.Parse(json))
        {
            var fields = document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => (object)p.Value.Clone());
            fields["grid"] = grid;
            fields["weights"] = weights;
            fields["input"] = input;
            fields["output"] = output;
            fields["inputShape"] = network.BatchShape(BenchSettings.Batch);
            fields["outputShape"] = new long[] { BenchSettings.Batch, layout.OutChannels }.Concat(layout.ImageSize).ToArray();
            fields["threads"] = BenchSettings.Threads;
            fields["seed"] = BenchSettings.Seed;
            fields["forwardRepeats"] = repeats;
            fields["trainRepeats"] = repeats;
            File.WriteAllText(casePath, JsonSerializer.Serialize(fields, JsonOptions));
        }

        return casePath;
    }

    /// <summary>
    /// The best float32 GEMM rate of two routes in this libtorch, best of ten after a warm-up per shape: <c>matmul</c> of square
    /// matrices (libtorch's BLAS) and the same kind of product computed by oneDNN, as a 1×1×1 convolution of a
    /// channels-last volume (rows = voxels, inner size = input channels). On an AMD CPU the BLAS takes its AVX2 path
    /// while oneDNN uses AVX-512, so the matmul alone understated the peak by half (docs/speed-notes.md); several sizes
    /// because one size or few repeats underestimate the peak on a shared machine.
    /// </summary>
    private static (double Matmul, double OneDnn) GemmPeak()
    {
        var matmul = 0.0;
        foreach (var n in new long[] { 1024, 2048, 3072 })
        {
            using var a = torch.randn(new long[] { n, n });
            using var b = torch.randn(new long[] { n, n });
            matmul = Math.Max(matmul, Rate(2.0 * n * n * n, () => torch.matmul(a, b).Dispose()));
        }

        var oneDnn = 0.0;
        foreach (var (channels, edge) in new (long Channels, long Edge)[] { (512, 16), (1024, 16) })
        {
            using var volume = ChannelsLast.Of(torch.randn(new long[] { 1, channels, edge, edge, edge }));
            using var weight = ChannelsLast.Of(torch.randn(new long[] { channels, channels, 1, 1, 1 }));
            using var mode = torch.inference_mode();
            oneDnn = Math.Max(oneDnn, Rate(2.0 * edge * edge * edge * channels * channels, () => torch.nn.functional.conv3d(volume, weight).Dispose()));
        }

        return (matmul, oneDnn);

        static double Rate(double flop, Action product) => flop / Timing.Measure(product, 10).Min;
    }

    private static void WriteFloats(string path, Tensor tensor)
    {
        using var contiguous = tensor.contiguous();
        var values = contiguous.data<float>().ToArray();
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("The exchange files are little-endian float32.");
        }

        File.WriteAllBytes(path, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
    }

    private static string FindScript()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                var candidate = Path.Combine(directory.FullName, Script);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new FileNotFoundException($"Could not find {Script} above the current or the application directory.");
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) + $" (1, 5, 15 min; {Environment.ProcessorCount} cores)" : "unknown";

    private static string F(double seconds) => seconds.ToString("F3", CultureInfo.InvariantCulture);

    private static void PrintTable(List<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
        {
            Console.WriteLine(string.Join("  ", row.Select((cell, c) => c >= 2 ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]))).TrimEnd());
        }
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>
    /// The generated network's workloads, built once from the fixed seed, with the files the PyTorch side reads: its
    /// weights (a PyTorch state dict, <see cref="StateDictWriter"/>), the forward input and the eval-mode output, as raw little-endian float32.
    /// </summary>
    private sealed class TorchSharpSide : IDisposable
    {
        private readonly string directory;
        private readonly ForwardWorkload forward;
        private readonly TrainStepWorkload train;

        public TorchSharpSide(BenchNetwork network)
        {
            torch.manual_seed(BenchSettings.Seed);
            directory = Directory.CreateTempSubdirectory("unetr-speed-").FullName;
            forward = new ForwardWorkload(network.Create(), network);
            StateDictWriter.Save(forward.Network, Weights);
            using (var logits = forward.Run())
            {
                WriteFloats(OutputPath, logits);
            }

            WriteFloats(InputPath, forward.Input);

            // The train step gets its own copy of the weights: its updates must not leak into the forward timings.
            train = new TrainStepWorkload(network.Create(), network);
        }

        public string Weights => Path.Combine(directory, "weights.pt");

        public string InputPath => Path.Combine(directory, "input.f32");

        public string OutputPath => Path.Combine(directory, "output.f32");

        public (double Forward, double Train) Measure(int repeats) =>
            (Timing.Measure(Forward, repeats).Median, Timing.Measure(TrainStep, repeats).Median);

        public double TimeForward() => Timing.Seconds(Forward);

        public double TimeTrainStep() => Timing.Seconds(TrainStep);

        public double[] TrainParts() => train.RunTimedParts();

        private void Forward() => forward.Run().Dispose();

        private void TrainStep() => train.Run();

        public void Dispose()
        {
            train.Dispose();
            forward.Dispose();
            Directory.Delete(directory, recursive: true);
        }
    }
}
