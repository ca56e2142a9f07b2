using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using TorchSharp;
using Unetr.Measurement.Networks;
using Unetr.Measurement.Speed;
using Unetr.Model.Compiled;
using Unetr.Model.Presets;
using Unetr.Model.Runtime;
using static TorchSharp.torch;

namespace Unetr.Measurement.Memory;

/// <summary>
/// The <c>memory-checkpointing</c> command: peak resident memory and step time of MONAI's BTCV network (96³) training
/// at batch 2, plain and with activation checkpointing, each variant in a process of its own so that no variant inherits
/// another's heap. Prints the compile-time activation estimate (<see cref="ModelSummary.EstimateActivationBytes"/>) next to the
/// measured growth of a step, and the goal: checkpointed peak ≤ 55 % of the plain peak at ≤ 30 % more step time.
/// </summary>
public static class CheckpointingMemory
{
    private const double PeakGoal = 0.55;

    private const double TimeGoal = 1.30;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The variants, by key: the network and which parts it checkpoints.</summary>
    private static readonly IReadOnlyList<Variant> Variants = new Variant[]
    {
        new("plain", nameof(MonaiBtcvUnetr), MonaiBtcvUnetr.Summary, false, false, () => new MonaiBtcvUnetr()),
        new("encoder", nameof(MonaiBtcvEncoderCheckpointed), MonaiBtcvEncoderCheckpointed.Summary, true, false, () => new MonaiBtcvEncoderCheckpointed()),
        new("decoder", nameof(MonaiBtcvDecoderCheckpointed), MonaiBtcvDecoderCheckpointed.Summary, false, true, () => new MonaiBtcvDecoderCheckpointed()),
        new("both", nameof(MonaiBtcvCheckpointed), MonaiBtcvCheckpointed.Summary, true, true, () => new MonaiBtcvCheckpointed()),
    };

    /// <summary>
    /// Runs the comparison. <paramref name="args"/> may hold <c>--steps N</c> (3 timed steps after one untimed),
    /// <c>--batch N</c> (2), <c>--variants a,b</c> (some of plain, encoder, decoder, both; all by default) and
    /// <c>--heap kept|release</c>: <c>kept</c> (the default) runs the variants with the C heap that <c>unetr train</c> sets
    /// up (freed pages kept for reuse, so the peak includes the allocator's slack); <c>release</c> maps every large
    /// allocation on its own and unmaps it when freed (<see cref="NativeHeap.ReleasingEnvironment"/>),
    /// so the peak follows the live tensors. A process started with <c>--child KEY</c> measures one variant and prints one
    /// JSON line.
    /// </summary>
    public static int Run(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var steps = int.Parse(CommandArguments.Option(args, "--steps") ?? "3", Invariant);
        var batch = long.Parse(CommandArguments.Option(args, "--batch") ?? "2", Invariant);
        if (steps < 1 || batch < 1)
        {
            Console.Error.WriteLine($"--steps and --batch must be at least 1; got {steps} and {batch}.");
            return 2;
        }

        var heap = CommandArguments.Option(args, "--heap") ?? "kept";
        if (heap is not ("kept" or "release"))
        {
            Console.Error.WriteLine($"--heap takes kept or release; got '{heap}'.");
            return 2;
        }

        if (CommandArguments.Option(args, "--child") is { } child)
        {
            var variant = Variants.FirstOrDefault(v => v.Key == child);
            if (variant is null)
            {
                Console.Error.WriteLine($"--child takes one of {string.Join(", ", Variants.Select(v => v.Key))}; got '{child}'.");
                return 2;
            }

            Console.WriteLine(JsonSerializer.Serialize(Measure(variant, steps, batch)));
            return 0;
        }

        string[] keys;
        try
        {
            keys = CommandArguments.Choices(args, "--variants", Variants.Select(v => v.Key).ToArray());
        }
        catch (ArgumentException error)
        {
            Console.Error.WriteLine(error.Message);
            return 2;
        }

        Console.WriteLine($"Activation checkpointing, MonaiBtcvUnetr at 96³, batch {batch}: one process per variant, {steps} timed train steps after one untimed; {BenchSettings.Threads} threads");
        Console.WriteLine(heap == "kept"
            ? "C heap: freed pages kept for reuse, as unetr train sets it up (peaks include the allocator's slack)"
            : $"C heap: every large allocation mapped on its own and unmapped when freed ({string.Join(", ", NativeHeap.ReleasingEnvironment.Select(v => $"{v.Key}={v.Value}"))}; peaks follow live tensors)");
        Console.WriteLine($"load average at start: {SpeedReport.LoadAverage()}");
        var results = new List<(Variant Variant, Measurement Result)>();
        foreach (var variant in Variants.Where(v => keys.Contains(v.Key)))
        {
            results.Add((variant, RunChild(variant, steps, batch, heap)));
        }

        var rows = new List<string[]>
        {
            new[] { "variant", "network", "peak RSS", "of plain", "before step", "step growth", "estimate (compile-time)", "forward", "backward", "optimizer", "step s", "of plain" },
        };
        var plain = results.FirstOrDefault(r => r.Variant.Key == "plain").Result;
        foreach (var (variant, result) in results)
        {
            var estimate = variant.Summary.EstimateActivationBytes(batch, variant.Encoder, variant.Decoder);
            rows.Add(new[]
            {
                variant.Key,
                variant.Network,
                MiB(result.PeakBytes),
                plain is null ? "" : string.Create(Invariant, $"{100.0 * result.PeakBytes / plain.PeakBytes:F0} %"),
                MiB(result.BeforeBytes),
                MiB(result.PeakBytes - result.BeforeBytes),
                MiB(estimate),
                Phase(result.ForwardPeakBytes, result.BeforeBytes),
                Phase(result.BackwardPeakBytes, result.BeforeBytes),
                Phase(result.OptimizerPeakBytes, result.BeforeBytes),
                result.MedianSeconds.ToString("F2", Invariant),
                plain is null ? "" : string.Create(Invariant, $"{100.0 * result.MedianSeconds / plain.MedianSeconds:F0} %"),
            });
        }

        SpeedReport.PrintTable(rows);
        Console.WriteLine("peak RSS: VmHWM of the variant's process after its steps; before step: VmRSS after building the network, optimizer and batch;");
        Console.WriteLine("step growth: peak − before (activations, gradients, optimizer state, allocator slack); estimate: ModelSummary.EstimateActivationBytes from the compile-time table (activations only)");
        Console.WriteLine("forward, backward, optimizer: peak RSS − before within that part of one more step (the kernel's peak reset between parts; n/a where it has none)");
        if (plain is not null)
        {
            foreach (var (variant, result) in results.Where(r => r.Variant.Key != "plain"))
            {
                var peak = (double)result.PeakBytes / plain.PeakBytes;
                var time = result.MedianSeconds / plain.MedianSeconds;
                Console.WriteLine(string.Create(Invariant,
                    $"{variant.Key}: peak {100 * peak:F0} % of plain (goal ≤ {100 * PeakGoal:F0} %: {(peak <= PeakGoal ? "met" : $"missed by {100 * (peak - PeakGoal):F0} points")}), "
                    + $"step time {100 * time:F0} % (goal ≤ {100 * TimeGoal:F0} %: {(time <= TimeGoal ? "met" : $"missed by {100 * (time - TimeGoal):F0} points")})"));
            }
        }

        Console.WriteLine($"load average at end: {SpeedReport.LoadAverage()}");
        return 0;
    }

    private static Measurement Measure(Variant variant, int steps, long batch)
    {
        BenchSettings.Apply();
        var spec = new BenchNetwork(variant.Network, variant.Summary.InputShape, 14, variant.Summary.MultiplyAccumulates, variant.Create);
        using var workload = new TrainStepWorkload(spec.Create(), spec, batch);
        var before = ResidentMemory.Current();
        workload.Run();
        var times = new List<double>();
        for (var step = 0; step < steps; step++)
        {
            times.Add(Timing.Seconds(() => workload.Run()));
        }

        // One more step, untimed, with the peak reset at each part's end: where in the step the peak is set.
        var peak = ResidentMemory.Read("VmHWM");
        var parts = new long[4];
        var resets = ResidentMemory.ResetPeak();
        workload.Run(part =>
        {
            parts[part] = ResidentMemory.Read("VmHWM");
            resets &= ResidentMemory.ResetPeak();
        });
        peak = Math.Max(peak, parts.Max());
        return resets
            ? new Measurement(peak, before, Timing.Median(times), parts[1], parts[2], parts[3])
            : new Measurement(peak, before, Timing.Median(times), 0, 0, 0);
    }

    private static Measurement RunChild(Variant variant, int steps, long batch, string heap)
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (heap == "release")
        {
            foreach (var (variable, value) in NativeHeap.ReleasingEnvironment)
            {
                start.Environment[variable] = value;
            }
        }

        var host = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this process is unknown; cannot start the measuring processes.");
        start.FileName = host;
        if (string.Equals(System.IO.Path.GetFileNameWithoutExtension(host), "dotnet", StringComparison.Ordinal))
        {
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        foreach (var argument in new[] { "memory-checkpointing", "--child", variant.Key, "--steps", steps.ToString(Invariant), "--batch", batch.ToString(Invariant) })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {host}.");
        var error = process.StandardError.ReadToEndAsync();
        var lines = new List<string>();
        while (process.StandardOutput.ReadLine() is { } line)
        {
            lines.Add(line);
        }

        process.WaitForExit();
        var json = lines.LastOrDefault(l => l.StartsWith('{'));
        if (process.ExitCode != 0 || json is null)
        {
            throw new InvalidOperationException($"The {variant.Key} process failed ({process.ExitCode}):\n{string.Join("\n", lines)}\n{error.Result}");
        }

        return JsonSerializer.Deserialize<Measurement>(json) ?? throw new InvalidOperationException($"Unexpected output of the {variant.Key} process: {json}");
    }

    private static string Phase(long peak, long before) => peak == 0 ? "n/a" : MiB(peak - before);

    private static string MiB(long bytes) => string.Create(Invariant, $"{bytes / (1024.0 * 1024.0):F0} MiB");

    private sealed record Variant(string Key, string Network, ModelSummary Summary, bool Encoder, bool Decoder, Func<nn.Module<Tensor, Tensor>> Create);

    /// <summary>What one variant's process measured.</summary>
    /// <param name="PeakBytes">VmHWM after the steps.</param>
    /// <param name="BeforeBytes">VmRSS before the first step.</param>
    /// <param name="MedianSeconds">Median seconds of the timed steps.</param>
    /// <param name="ForwardPeakBytes">VmHWM within the forward and loss of one more step (0 where the peak cannot be reset).</param>
    /// <param name="BackwardPeakBytes">VmHWM within that step's backward pass.</param>
    /// <param name="OptimizerPeakBytes">VmHWM within that step's optimizer step.</param>
    public sealed record Measurement(long PeakBytes, long BeforeBytes, double MedianSeconds, long ForwardPeakBytes, long BackwardPeakBytes, long OptimizerPeakBytes);
}
