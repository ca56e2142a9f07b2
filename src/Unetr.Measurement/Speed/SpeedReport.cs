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
using Unetr.Model.Training;
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

    /// <summary>The batch sizes of the timed train steps; the forward runs at <see cref="BenchSettings.Batch"/>.</summary>
    private static readonly long[] TrainBatches = { 1, 2 };

    /// <summary>The networks the report times, by name: the seed network, MONAI's BTCV network, and the narrowed seed layout as an extra row.</summary>
    private static IReadOnlyList<SpeedCase> Cases { get; } = new[]
    {
        new SpeedCase("seed", BenchNetwork.SeedFull, PyTorchCase.SeedFull, "SeedUnetr at 64³ (SeedUnetr64)", ForwardGoal: 1.15, TrainGoal: 1.1),
        new SpeedCase("monai", BenchNetwork.Named("MonaiBtcvUnetr"), PyTorchCase.Monai, "MonaiBtcvUnetr (96³)", ForwardGoal: 1.3, TrainGoal: 1.3),
        new SpeedCase("narrowed", BenchNetwork.Seed, PyTorchCase.Seed, "SeedBench64 (extra: seed layout narrowed to 192 wide, widths 16–128)", ForwardGoal: null, TrainGoal: null),
    };

    /// <summary>Forward FLOP/s goal, as a share of the larger measured GEMM rate.</summary>
    private const double FlopGoal = 0.85;

    /// <summary>Where <c>--readme</c> writes the table: between these two lines.</summary>
    public const string TableBegin = "<!-- speed-table: written by `speed --readme README.md`; do not edit by hand -->";

    /// <summary>The line after the table <c>--readme</c> writes.</summary>
    public const string TableEnd = "<!-- speed-table end -->";

    /// <summary>
    /// Runs the report; <paramref name="args"/> may hold <c>--repeats N</c>, <c>--python PATH</c>, <c>--no-pytorch</c>,
    /// <c>--breakdown</c> (also time a train step's parts on both sides, the forward's stages, and the forward with and
    /// without BatchNorm folding), <c>--fold-only</c> (only the last two, on this side), <c>--winograd-only</c> (the forward's
    /// stages and the forward without and with the Winograd route, <see cref="CpuRoutingPolicy.WinogradMinimumChannels"/>
    /// as the default has it or as <c>--winograd-minimum-channels N</c> sets it, on this side), <c>--pytorch-heap same|default</c> (the PyTorch
    /// worker inherits this process's C-heap settings, the default, or runs with glibc's own), <c>--networks a,b</c>
    /// (some of <c>seed</c>, <c>monai</c>, <c>narrowed</c>; all by default), <c>--no-hand-written</c> (skip the generated
    /// vs hand-written comparison) and <c>--readme PATH</c> (write the summary table into that file between
    /// <see cref="TableBegin"/> and <see cref="TableEnd"/>).
    /// </summary>
    public static int Run(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var repeats = int.Parse(CommandArguments.Option(args, "--repeats") ?? "3", CultureInfo.InvariantCulture);
        var python = CommandArguments.Option(args, "--python") ?? Environment.GetEnvironmentVariable("UNETR_PYTHON") ?? "/usr/bin/python3";
        var withPyTorch = !args.Contains("--no-pytorch");
        var breakdown = args.Contains("--breakdown");
        var pytorchHeap = CommandArguments.Option(args, "--pytorch-heap") ?? "same";
        var readme = CommandArguments.Option(args, "--readme");
        if (pytorchHeap is not ("same" or "default"))
        {
            Console.Error.WriteLine($"--pytorch-heap must be 'same' or 'default'; got '{pytorchHeap}'.");
            return 2;
        }

        string[] chosen;
        try
        {
            chosen = CommandArguments.Choices(args, "--networks", Cases.Select(c => c.Key).ToArray());
        }
        catch (ArgumentException error)
        {
            Console.Error.WriteLine(error.Message);
            return 2;
        }

        if (readme is not null && !File.Exists(readme))
        {
            Console.Error.WriteLine($"--readme needs an existing file with the table markers; '{readme}' does not exist.");
            return 2;
        }

        BenchSettings.Apply();
        var cpu = CpuDescription.Current();
        var clock = CpuDescription.MeasureClockHz();
        var clockHz = Math.Max(clock, cpu.CpuInfoMhz * 1e6);
        var startLoad = LoadAverage();
        Console.WriteLine($"UNETR speed report: TorchSharp {typeof(torch).Assembly.GetName().Version}, {torch.get_num_threads()} threads, forward batch {BenchSettings.Batch}, train step batches {string.Join(" and ", TrainBatches)}, {repeats} timed repeats (median)");
        Console.WriteLine($"CPU: {cpu.Summary}");
        var (pipes, pipeSource) = cpu.FmaPipes;
        var theoretical = cpu.PeakFlops(clockHz);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"theoretical float32 peak: {theoretical / 1e9:F1} GFLOP/s = {cpu.PhysicalCores} cores × {clockHz / 1e9:F2} GHz × {cpu.Float32Lanes} lanes × {pipes} FMA pipes × 2 "
            + $"(clock: the larger of /proc/cpuinfo's {cpu.CpuInfoMhz:F0} MHz and {clock / 1e9:F2} GHz measured by a dependent-add chain on one core; pipes: {pipeSource})"));
        Console.WriteLine($"load average at start: {startLoad}");
        if (withPyTorch)
        {
            Console.WriteLine(pytorchHeap == "same"
                ? "PyTorch worker: same OpenMP wait policy and C-heap settings as this process"
                : "PyTorch worker: same OpenMP wait policy, glibc's default C heap (--pytorch-heap default)");
        }

        if (args.Contains("--winograd-only"))
        {
            var winogradMinimum = CpuRoutingPolicy.Default.WinogradMinimumChannels;
            if (CommandArguments.Option(args, "--winograd-minimum-channels") is { } minimumText)
            {
                if (!long.TryParse(minimumText, NumberStyles.None, CultureInfo.InvariantCulture, out var minimum) || minimum < 1)
                {
                    Console.Error.WriteLine($"--winograd-minimum-channels takes a channel count of at least 1; got '{minimumText}'.");
                    return 2;
                }

                winogradMinimum = minimum;
            }

            foreach (var speedCase in Cases.Where(c => chosen.Contains(c.Key)))
            {
                using var side = new TorchSharpSide(speedCase.Network);
                Console.WriteLine(ForwardStages(speedCase.Network, side, 2 * repeats));
                Console.WriteLine(WinogradComparison(speedCase.Network, side, 2 * repeats, winogradMinimum));
            }

            Console.WriteLine($"load average at end: {LoadAverage()}");
            return 0;
        }

        if (args.Contains("--fold-only"))
        {
            foreach (var speedCase in Cases.Where(c => chosen.Contains(c.Key)))
            {
                using var side = new TorchSharpSide(speedCase.Network);
                Console.WriteLine(ForwardStages(speedCase.Network, side, 2 * repeats));
                Console.WriteLine(FoldComparison(speedCase.Network, side, 2 * repeats));
            }

            Console.WriteLine($"load average at end: {LoadAverage()}");
            return 0;
        }

        var (matmulPeak, oneDnnPeak) = GemmPeak();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"GEMM, TorchSharp's libtorch (float32, best of 10 per shape): matmul 1024², 2048², 3072² {matmulPeak / 1e9:F1} GFLOP/s; "
            + $"oneDNN 4096 × 512 × 512, 4096 × 1024 × 1024 as 1×1×1 convolutions {oneDnnPeak / 1e9:F1} GFLOP/s"));
        var gemm = new GemmRates(matmulPeak, oneDnnPeak, 0, 0, false);
        Console.WriteLine();

        if (!args.Contains("--no-hand-written"))
        {
            CompareHandWritten(repeats);
        }

        var results = new List<CaseResult>();
        foreach (var speedCase in Cases.Where(c => chosen.Contains(c.Key)))
        {
            var network = speedCase.Network;
            using var side = new TorchSharpSide(network);
            if (!withPyTorch)
            {
                var (forward, train) = side.Measure(repeats, TrainBatches);
                results.Add(new CaseResult(speedCase, forward, train, null, null, double.NaN, string.Empty, null));
                continue;
            }

            // Round by round, alternating with a PyTorch worker on the same weights, so both sides see the same load.
            var casePath = WriteCase(side, network, speedCase.PyTorch, repeats);
            using var worker = PyTorchWorker.Start(python, FindScript(), casePath, BenchSettings.Threads, sameHeap: pytorchHeap == "same");
            if (gemm.PyTorchMatmul == 0)
            {
                var (torchMatmul, torchConvolution, torchOneDnn) = worker.Gemm();
                gemm = gemm with { PyTorchMatmul = torchMatmul * 1e9, PyTorchConvolution = torchConvolution * 1e9, PyTorchOneDnn = torchOneDnn };
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"GEMM, PyTorch {worker.Torch} (same shapes): matmul {torchMatmul:F1} GFLOP/s; 1×1×1 convolution {torchConvolution:F1} GFLOP/s "
                    + $"({(torchOneDnn ? "oneDNN available" : "no oneDNN in this build")})"));
            }

            var forwardRounds = Timing.PairedTimed(() => worker.Run("forward"), side.TimeForward, 2 * repeats);
            var trainRounds = TrainBatches.Select(batch => Timing.PairedTimed(
                    () => worker.Run(string.Create(CultureInfo.InvariantCulture, $"train {batch}")), () => side.TimeTrainStep(batch), 2 * repeats))
                .ToArray();
            var breakdownLine = breakdown ? Breakdown(network, side, worker, 2 * repeats) + Environment.NewLine + ForwardStages(network, side, 2 * repeats)
                + Environment.NewLine + FoldComparison(network, side, 2 * repeats) : null;
            results.Add(new CaseResult(
                speedCase, forwardRounds.SecondMedian, trainRounds.Select(t => t.SecondMedian).ToArray(), forwardRounds, trainRounds, worker.MaxAbsDiff, worker.Torch, breakdownLine));
        }

        var peak = gemm.Best;
        var endLoad = LoadAverage();
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"GEMM peak for \"of peak\": {peak / 1e9:F1} GFLOP/s, the largest measured rate of both sides (TorchSharp matmul {gemm.Matmul / 1e9:F1}, oneDNN {gemm.OneDnn / 1e9:F1}; "
            + $"PyTorch matmul {gemm.PyTorchMatmul / 1e9:F1}, 1×1×1 convolution {gemm.PyTorchConvolution / 1e9:F1}); theoretical {theoretical / 1e9:F1}"));
        PrintTable(Table(results, peak, theoretical));
        Console.WriteLine();
        foreach (var result in results.Where(r => r.Forward is not null))
        {
            Console.WriteLine(Ratios(result));
            if (result.Breakdown is not null)
            {
                Console.WriteLine(result.Breakdown);
            }
        }

        Console.WriteLine("Times are medians of the paired rounds; the PyTorch worker (bench/pytorch/unetr_torch.py --serve: stock modules, stock AdamW) times itself");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"forward FLOP/s = 2 × compile-time MACs (the per-voxel convention, ModelSummary.MacConvention) / median time; goal ≥ {100 * FlopGoal:F0} % of the GEMM peak"));
        Console.WriteLine($"load average at end: {endLoad}");

        var markdown = Markdown(results, cpu, clockHz, clock, theoretical, gemm, startLoad, endLoad, args);
        Console.WriteLine();
        Console.WriteLine(markdown);
        if (readme is not null)
        {
            WriteTable(readme, markdown);
            Console.WriteLine($"wrote the table into {readme}");
        }

        return 0;
    }

    /// <summary>One network of the report, with the PyTorch case that builds it there and the speed goals (none for an extra row).</summary>
    private sealed record SpeedCase(string Key, BenchNetwork Network, PyTorchCase PyTorch, string Label, double? ForwardGoal, double? TrainGoal);

    /// <summary>What one network measured: TorchSharp's medians, and with PyTorch the paired rounds.</summary>
    private sealed record CaseResult(
        SpeedCase Case, double ForwardSeconds, double[] TrainSeconds, PairedTiming? Forward, PairedTiming[]? Train, double MaxAbsDiff, string Torch, string? Breakdown);

    /// <summary>The GEMM rates measured on both sides, in FLOP/s.</summary>
    private sealed record GemmRates(double Matmul, double OneDnn, double PyTorchMatmul, double PyTorchConvolution, bool PyTorchOneDnn)
    {
        public double Best => new[] { Matmul, OneDnn, PyTorchMatmul, PyTorchConvolution }.Max();
    }

    private static List<string[]> Table(List<CaseResult> results, double peak, double theoretical)
    {
        var rows = new List<string[]>
        {
            new[] { "network", "side", "forward s", "train step s, batch 1", "train step s, batch 2", "fwd FLOP/s", "of GEMM peak", "of theoretical" },
        };
        foreach (var result in results)
        {
            rows.Add(Row(result.Case.Network, "TorchSharp (generated)", result.ForwardSeconds, result.TrainSeconds, peak, theoretical));
            if (result.Forward is not null && result.Train is not null)
            {
                rows.Add(Row(result.Case.Network, $"PyTorch {result.Torch}", result.Forward.FirstMedian, result.Train.Select(t => t.FirstMedian).ToArray(), peak, theoretical));
            }
        }

        return rows;
    }

    private static string Ratios(CaseResult result)
    {
        var c = result.Case;
        var forward = result.Forward!;
        var text = string.Create(CultureInfo.InvariantCulture,
            $"{c.Label}: max |TorchSharp − PyTorch| = {result.MaxAbsDiff:E2} (goal ≤ 1e-4, {(result.MaxAbsDiff <= 1e-4 ? "met" : "missed")}); PyTorch/TorchSharp time, median of {forward.Ratios.Count} paired rounds (middle half): "
            + $"forward {forward.Ratio:F2}× ({forward.Low:F2}–{forward.High:F2}{Goal(forward, c.ForwardGoal)})");
        for (var i = 0; i < TrainBatches.Length; i++)
        {
            var train = result.Train![i];
            text += string.Create(CultureInfo.InvariantCulture, $", train step batch {TrainBatches[i]} {train.Ratio:F2}× ({train.Low:F2}–{train.High:F2}{Goal(train, c.TrainGoal)})");
        }

        return text;

        static string Goal(PairedTiming timing, double? goal) =>
            goal is { } g ? string.Create(CultureInfo.InvariantCulture, $"; goal ≥ {g:F2}×: {timing.Against(g)}") : string.Empty;
    }

    private static string Markdown(
        List<CaseResult> results, CpuDescription cpu, double clockHz, double measuredClock, double theoretical, GemmRates gemm, string startLoad, string endLoad, IReadOnlyList<string> args)
    {
        var peak = gemm.Best;
        var (pipes, _) = cpu.FmaPipes;
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture,
                $"Machine: {cpu.Model} ({cpu.Vendor} family {cpu.Family}), {cpu.PhysicalCores} cores, {cpu.VectorExtensions}. "
                + $"Theoretical float32 peak {theoretical / 1e9:F0} GFLOP/s = {cpu.PhysicalCores} cores × {clockHz / 1e9:F2} GHz × {cpu.Float32Lanes} lanes × {pipes} FMA pipes × 2 "
                + $"(clock: larger of /proc/cpuinfo {cpu.CpuInfoMhz:F0} MHz and {measuredClock / 1e9:F2} GHz measured). "
                + $"Best measured GEMM: TorchSharp matmul {gemm.Matmul / 1e9:F0}, oneDNN {gemm.OneDnn / 1e9:F0}; PyTorch matmul {gemm.PyTorchMatmul / 1e9:F0}, "
                + $"1×1×1 convolution {gemm.PyTorchConvolution / 1e9:F0} GFLOP/s; \"of peak\" uses {peak / 1e9:F0}. "
                + $"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load average {startLoad.Split(" (")[0]} at start, {endLoad.Split(" (")[0]} at end, "
                + $"`speed {string.Join(" ", args)}`."),
            string.Empty,
            "| network | PyTorch / TorchSharp time: forward | train step, batch 1 | train step, batch 2 | TorchSharp s: forward; train 1; train 2 | PyTorch s | forward FLOP/s, of GEMM peak: TorchSharp / PyTorch | max abs diff |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        };
        foreach (var result in results)
        {
            var c = result.Case;
            var ours = Flops(c.Network, result.ForwardSeconds) / peak;
            if (result.Forward is null || result.Train is null)
            {
                lines.Add(string.Create(CultureInfo.InvariantCulture,
                    $"| {c.Label} | | | | {F(result.ForwardSeconds)}; {string.Join("; ", result.TrainSeconds.Select(F))} | | {100 * ours:F0} % | |"));
                continue;
            }

            var theirs = Flops(c.Network, result.Forward.FirstMedian) / peak;
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {c.Label} | {Cell(result.Forward, c.ForwardGoal)} | {Cell(result.Train[0], c.TrainGoal)} | {Cell(result.Train[1], c.TrainGoal)} "
                + $"| {F(result.ForwardSeconds)}; {string.Join("; ", result.TrainSeconds.Select(F))} | {F(result.Forward.FirstMedian)}; {string.Join("; ", result.Train.Select(t => F(t.FirstMedian)))} "
                + $"| {100 * ours:F0} % / {100 * theirs:F0} % (goal ≥ {100 * FlopGoal:F0} %{(c.ForwardGoal is null ? string.Empty : ours >= FlopGoal ? ": met" : ": missed")}) | {result.MaxAbsDiff:E1} |"));
        }

        return string.Join("\n", lines);

        static string Cell(PairedTiming timing, double? goal) =>
            string.Create(CultureInfo.InvariantCulture, $"{timing.Ratio:F2}× ({timing.Low:F2}–{timing.High:F2})")
            + (goal is { } g ? string.Create(CultureInfo.InvariantCulture, $"; goal ≥ {g:F2}×: {timing.Against(g)}") : string.Empty);
    }

    /// <summary>Replaces the lines between <see cref="TableBegin"/> and <see cref="TableEnd"/> in <paramref name="path"/> with <paramref name="table"/>, atomically.</summary>
    private static void WriteTable(string path, string table)
    {
        var text = File.ReadAllText(path);
        var begin = text.IndexOf(TableBegin, StringComparison.Ordinal);
        var end = text.IndexOf(TableEnd, StringComparison.Ordinal);
        if (begin < 0 || end < begin)
        {
            throw new InvalidDataException($"{path} has no speed table markers: expected a line '{TableBegin}' and later a line '{TableEnd}'.");
        }

        var updated = text[..(begin + TableBegin.Length)] + "\n" + table + "\n" + text[end..];
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), leaveOpen: true);
            writer.Write(updated);
        });
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

    /// <summary>
    /// Where this side's forward time goes: median milliseconds from one stage's output to the next
    /// (<see cref="Unetr.Model.Compiled.ICompiledNetwork.StageObserver"/>; the first stage includes the transformer, a
    /// stage includes the concatenation feeding it), and each stage's share of the summed medians.
    /// </summary>
    private static string ForwardStages(BenchNetwork network, TorchSharpSide side, int rounds)
    {
        var stages = Enumerable.Range(0, rounds + 1).Select(_ => side.ForwardStages()).Skip(1).ToList();
        var medians = stages[0].Select(stage => (stage.Name, Ms: 1000 * Timing.Median(stages.Select(round => round.First(s => s.Name == stage.Name).Seconds).ToList()))).ToList();
        var total = medians.Sum(stage => stage.Ms);
        var parts = medians.Select(stage => string.Create(CultureInfo.InvariantCulture, $"{stage.Name} {stage.Ms:F1} ({100 * stage.Ms / total:F0} %)"));
        return string.Create(CultureInfo.InvariantCulture, $"{network.Name} forward stages (TorchSharp), median ms of {rounds} rounds, sum {total:F1}: {string.Join(", ", parts)}");
    }

    /// <summary>
    /// The forward with and without BatchNorm folding (<see cref="CpuRoutingPolicy.FoldBatchNorm"/>), in alternating
    /// rounds on the same weights and input: the fold's own gain, whatever the load.
    /// </summary>
    private static string FoldComparison(BenchNetwork network, TorchSharpSide side, int rounds)
    {
        var timing = PolicyComparison(side, rounds, CpuRoutingPolicy.Current with { FoldBatchNorm = false }, CpuRoutingPolicy.Current with { FoldBatchNorm = true });
        return $"{network.Name} forward without / with BatchNorm folding: {Describe(timing)}";
    }

    /// <summary>
    /// The forward without and with the Winograd route (<see cref="CpuRoutingPolicy.WinogradMinimumChannels"/> off, and
    /// <paramref name="minimumChannels"/>), in alternating rounds on the same weights and input.
    /// </summary>
    private static string WinogradComparison(BenchNetwork network, TorchSharpSide side, int rounds, long? minimumChannels)
    {
        var timing = PolicyComparison(side, rounds, CpuRoutingPolicy.Current with { WinogradMinimumChannels = null }, CpuRoutingPolicy.Current with { WinogradMinimumChannels = minimumChannels });
        return $"{network.Name} forward without / with Winograd F(2³, 3³) from {minimumChannels} channels: {Describe(timing)}";
    }

    // The forward under one routing policy and under another, in alternating rounds on the same weights and input.
    private static PairedTiming PolicyComparison(TorchSharpSide side, int rounds, CpuRoutingPolicy first, CpuRoutingPolicy second) =>
        Timing.PairedTimed(
            () =>
            {
                using var policy = CpuRoutingPolicy.Use(first);
                return side.TimeForward();
            },
            () =>
            {
                using var policy = CpuRoutingPolicy.Use(second);
                return side.TimeForward();
            },
            rounds);

    private static string Describe(PairedTiming timing) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{timing.Ratio:F3}×  ({F(timing.FirstMedian)} s vs {F(timing.SecondMedian)} s; middle half of {timing.Ratios.Count} per-round ratios {timing.Low:F3}–{timing.High:F3}: {(timing.IsParityWithinNoise ? "1.00× within noise" : "differs beyond noise")})");

    private static void Forward(nn.Module<Tensor, Tensor> network, Tensor input)
    {
        using var mode = torch.inference_mode();
        using var logits = network.call(input);
    }

    private static double Flops(BenchNetwork network, double forwardSeconds) => 2.0 * network.MultiplyAccumulates * BenchSettings.Batch / forwardSeconds;

    private static string[] Row(BenchNetwork network, string side, double forward, double[] train, double peak, double theoretical)
    {
        var flops = Flops(network, forward);
        return new[] { network.Name, side, F(forward), F(train[0]), F(train[1]), $"{flops / 1e9:F1} G", $"{100 * flops / peak:F0} %", $"{100 * flops / theoretical:F0} %" };
    }

    private static string WriteCase(TorchSharpSide side, BenchNetwork network, PyTorchCase layout, int repeats)
    {
        var casePath = Path.Combine(side.Directory, "case.json");
        var grid = layout.ImageSize.Select(size => size / layout.PatchSize).ToArray();
        var json = JsonSerializer.Serialize(layout, JsonOptions);
        using (var document = JsonDocument.Parse(json))
        {
            var fields = document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => (object)p.Value.Clone());
            fields["grid"] = grid;
            fields["weights"] = side.Weights;
            fields["input"] = side.InputPath;
            fields["output"] = side.OutputPath;
            fields["inputShape"] = network.BatchShape(BenchSettings.Batch);
            fields["outputShape"] = new long[] { BenchSettings.Batch, layout.OutChannels }.Concat(layout.ImageSize).ToArray();
            fields["trainBatches"] = TrainBatches.Select(batch => new Dictionary<string, object>
            {
                ["batch"] = batch,
                ["input"] = side.TrainInputPath(batch),
                ["labels"] = side.TrainLabelsPath(batch),
                ["inputShape"] = network.BatchShape(batch),
            }).ToArray();
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
        WriteValues(path, contiguous.data<float>().ToArray());
    }

    private static void WriteLongs(string path, Tensor tensor)
    {
        using var contiguous = tensor.contiguous();
        WriteValues(path, contiguous.data<long>().ToArray());
    }

    private static void WriteValues<T>(string path, T[] values)
        where T : unmanaged
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("The exchange files are little-endian.");
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

    /// <summary>The load average over 1, 5 and 15 minutes, with the core count.</summary>
    internal static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) + $" (1, 5, 15 min; {Environment.ProcessorCount} cores)" : "unknown";

    private static string F(double seconds) => seconds.ToString("F3", CultureInfo.InvariantCulture);

    /// <summary>Prints rows as aligned columns: the first two left-aligned, the others right-aligned.</summary>
    internal static void PrintTable(List<string[]> rows)
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
        private readonly ForwardWorkload forward;
        private readonly TrainStepWorkload train;

        public TorchSharpSide(BenchNetwork network)
        {
            torch.manual_seed(BenchSettings.Seed);
            Directory = System.IO.Directory.CreateTempSubdirectory("unetr-speed-").FullName;
            forward = new ForwardWorkload(network.Create(), network);
            StateDictWriter.Save(forward.Network, Weights);
            using (var logits = forward.Run())
            {
                WriteFloats(OutputPath, logits);
            }

            WriteFloats(InputPath, forward.Input);

            // The train step gets its own copy of the weights: its updates must not leak into the forward timings.
            train = new TrainStepWorkload(network.Create(), network, TrainBatches);
            foreach (var batch in TrainBatches)
            {
                var (input, labels) = train.Batch(batch);
                WriteFloats(TrainInputPath(batch), input);
                WriteLongs(TrainLabelsPath(batch), labels);
            }
        }

        public string Directory { get; }

        public string Weights => Path.Combine(Directory, "weights.pt");

        public string InputPath => Path.Combine(Directory, "input.f32");

        public string OutputPath => Path.Combine(Directory, "output.f32");

        public string TrainInputPath(long batch) => Path.Combine(Directory, FormattableString.Invariant($"train-input-{batch}.f32"));

        public string TrainLabelsPath(long batch) => Path.Combine(Directory, FormattableString.Invariant($"train-labels-{batch}.i64"));

        public (double Forward, double[] Train) Measure(int repeats, long[] batches) =>
            (Timing.Measure(Forward, repeats).Median, batches.Select(batch => Timing.Measure(() => train.Run(batch), repeats).Median).ToArray());

        public double TimeForward() => Timing.Seconds(Forward);

        public double TimeTrainStep(long batch) => Timing.Seconds(() => train.Run(batch));

        public double[] TrainParts() => train.RunTimedParts();

        /// <summary>One forward pass, timed from stage output to stage output.</summary>
        public List<(string Name, double Seconds)> ForwardStages()
        {
            var observed = (Unetr.Model.Compiled.ICompiledNetwork)forward.Network;
            var times = new List<(string Name, double Seconds)>();
            var watch = System.Diagnostics.Stopwatch.StartNew();
            observed.StageObserver = (name, _) =>
            {
                times.Add((name, watch.Elapsed.TotalSeconds));
                watch.Restart();
            };
            try
            {
                Forward();
            }
            finally
            {
                observed.StageObserver = null;
            }

            return times;
        }

        private void Forward() => forward.Run().Dispose();

        public void Dispose()
        {
            train.Dispose();
            forward.Dispose();
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}
