using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using TorchSharp;
using Unetr.Model.Data;
using Unetr.Model.Presets;
using Unetr.Model.Training;

namespace Unetr.Measurement.Memory;

/// <summary>
/// The <c>memory</c> command: trains the tiny preset for a long run as <c>unetr train</c> does (validation and atomic
/// checkpoints included) and checks that resident memory stays flat after a settling step. Exit code 0 when the peak
/// growth after the settling step is below the limit, 1 otherwise.
/// </summary>
public static class MemoryReport
{
    private const int PrintEvery = 25;

    private const int Window = 50;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>
    /// Runs the check. <paramref name="args"/> may hold <c>--steps N</c> (500), <c>--settle N</c> (50), <c>--limit F</c>
    /// (0.05), <c>--validate-every N</c> (25), <c>--threads N</c>, <c>--release-every N</c> (10; 0 keeps freed C-heap
    /// pages, see <see cref="TrainingOptions.ReleaseFreedNativeMemoryEvery"/>) and <c>--no-checkpoints</c> (validate without writing
    /// checkpoints, to tell the two apart when memory grows).
    /// </summary>
    public static int Run(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var steps = int.Parse(CommandArguments.Option(args, "--steps") ?? "500", Invariant);
        var settle = int.Parse(CommandArguments.Option(args, "--settle") ?? "50", Invariant);
        var limit = double.Parse(CommandArguments.Option(args, "--limit") ?? "0.05", Invariant);
        var validateEvery = int.Parse(CommandArguments.Option(args, "--validate-every") ?? "25", Invariant);
        if (CommandArguments.Option(args, "--threads") is { } threads)
        {
            torch.set_num_threads(int.Parse(threads, Invariant));
        }

        if (settle < 1 || settle + (2 * Window) - 1 > steps)
        {
            Console.Error.WriteLine($"--settle must be between 1 and --steps − {(2 * Window) - 1} ({steps - (2 * Window) + 1}), leaving two windows of {Window} steps; got {settle}.");
            return 2;
        }

        var withCheckpoints = !args.Contains("--no-checkpoints");
        var options = new TrainingOptions
        {
            Steps = steps,
            BatchSize = 2,
            LearningRate = 1e-3,
            WarmupSteps = 50,
            ValidateEvery = validateEvery,
            ReleaseFreedNativeMemoryEvery = int.Parse(CommandArguments.Option(args, "--release-every") ?? "10", Invariant),
        };
        Console.WriteLine(string.Create(Invariant,
            $"Resident memory over {steps} training steps of {nameof(TinyMonaiUnetr)} (batch {options.BatchSize}, validation{(withCheckpoints ? " and checkpoints" : string.Empty)} every {validateEvery} steps, freed C-heap pages {(options.ReleaseFreedNativeMemoryEvery > 0 ? $"released every {options.ReleaseFreedNativeMemoryEvery} steps" : "kept")}), {torch.get_num_threads()} libtorch threads; growth from steps {settle}–{settle + Window - 1} to the last {Window} steps (medians) must stay below {limit:P0}."));

        var samples = Train(options, withCheckpoints, out var elapsed);
        var growth = MemoryGrowth.From(samples, settle, Window);
        var passed = growth.Growth < limit;
        Console.WriteLine(string.Create(Invariant,
            $"Median RSS over steps {settle}–{settle + Window - 1}: {Mib(growth.SettledMedian):F1} MiB; over the last {Window} steps: {Mib(growth.FinalMedian):F1} MiB ({growth.Growth:+0.00%;-0.00%}). Largest sample after step {settle}: {Mib(growth.PeakBytes):F1} MiB at step {growth.PeakStep} ({growth.PeakGrowth:+0.00%;-0.00%}). {elapsed.TotalMilliseconds / steps:F0} ms per step including validation."));
        Console.WriteLine(passed
            ? string.Create(Invariant, $"PASS: resident memory grew {growth.Growth:P2} after step {settle}, below {limit:P0}.")
            : string.Create(Invariant, $"FAIL: resident memory grew {growth.Growth:P2} after step {settle}; the limit is {limit:P0}."));
        return passed ? 0 : 1;
    }

    private static List<(long Step, long Bytes)> Train(TrainingOptions options, bool withCheckpoints, out TimeSpan elapsed)
    {
        var size = (int)TinyMonaiUnetr.InputShape[1];
        var output = Path.Combine(Path.GetTempPath(), "unetr-memory-" + Guid.NewGuid().ToString("N"));
        var samples = new List<(long Step, long Bytes)> { (0, ResidentMemory.Current()) };
        var clock = Stopwatch.StartNew();
        try
        {
            using var trainer = new Trainer(() => new TinyMonaiUnetr(), TinyMonaiUnetr.InputShape, SyntheticDataset.Training(64, size), options);
            trainer.Run(
                SyntheticDataset.Validation(4, size),
                withCheckpoints ? output : null,
                onStep: step =>
                {
                    var bytes = ResidentMemory.Current();
                    samples.Add((step.Step, bytes));
                    if (step.Step % PrintEvery == 0)
                    {
                        var native = MallInfo.BytesInUse() is { } inUse ? string.Create(Invariant, $"{Mib(inUse),7:F1} MiB") : "unknown";
                        Console.WriteLine(string.Create(Invariant,
                            $"step {step.Step,5}  RSS {Mib(bytes),7:F1} MiB  C heap in use {native}  managed heap {Mib(GC.GetTotalMemory(forceFullCollection: false)),6:F1} MiB  loss {step.Loss:F4}"));
                    }
                });
        }
        finally
        {
            elapsed = clock.Elapsed;
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }

        return samples;
    }

    private static double Mib(long bytes) => bytes / (1024.0 * 1024.0);
}
