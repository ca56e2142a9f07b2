using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using TorchSharp;
using Unetr.Model.Data;
using Unetr.Model.Data.Nifti;
using Unetr.Model.Data.Sources;

namespace Unetr.Measurement.Ablation;

/// <summary>The <c>ablate</c> command: measures the ablation grid and writes <c>ablation.{csv,md,png}</c>.</summary>
public static class AblationCommand
{
    /// <summary>Parses <paramref name="args"/> (starting with <c>ablate</c>) and runs the command.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="commandLine">How the user started the run (the host's launcher, then <paramref name="args"/>), for the report.</param>
    /// <param name="waitPolicy">The OpenMP wait policy in force (see <see cref="Unetr.Model.Runtime.UnetrRuntimeReport.OpenMpWaitPolicy"/>), for the report.</param>
    public static int Invoke(string[] args, string commandLine, string waitPolicy)
    {
        var root = new RootCommand("Unetr benchmarks.") { Create(commandLine, waitPolicy) };
        return root.Parse(args).Invoke();
    }

    /// <summary>Builds the command; <paramref name="commandLine"/> and <paramref name="waitPolicy"/> are recorded in the report.</summary>
    public static Command Create(string commandLine, string waitPolicy)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        var quick = new Option<bool>("--quick") { Description = $"The quick budget ({AblationSettings.Quick.Steps} steps per variant; a few minutes on two cores) instead of the full one ({AblationSettings.Full.Steps} steps)." };
        var steps = new Option<int?>("--steps") { Description = "Training steps per variant, overriding the budget's (warm-up: a tenth of them)." };
        var learningRate = new Option<double?>("--lr") { Description = $"Peak AdamW learning rate (default {AblationSettings.Quick.LearningRate.ToString(CultureInfo.InvariantCulture)})." };
        var variants = new Option<string[]>("--variants")
        {
            Description = "Measure only these variants (default: all): " + string.Join(", ", AblationGrid.All.Select(v => v.Name)),
            AllowMultipleArgumentsPerToken = true,
        };
        var data = new Option<string?>("--data")
        {
            Description = "Train on a dataset.json (Decathlon / MONAI) or a folder of image/label pairs instead of the embedded synthetic volumes; "
                + "Dice is taken on its validation volumes through a sliding window. Volumes are used as stored (no preprocessing); they need 1 channel and 3 classes.",
        };
        var output = new Option<string>("--output") { Description = "Directory for ablation.csv, ablation.md and ablation.png.", DefaultValueFactory = _ => Path.Combine("artifacts", "ablation") };
        var threads = new Option<int>("--threads") { Description = "libtorch intra-op threads.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var seed = new Option<long>("--seed") { Description = "Seeds weights, training data order, augmentation and timing inputs.", DefaultValueFactory = _ => AblationSettings.Quick.Seed };

        var command = new Command("ablate", "Train and time every variant of the ablation grid on the embedded synthetic dataset; write ablation.csv, ablation.md and ablation.png.")
        {
            quick, steps, learningRate, variants, data, output, threads, seed,
        };
        command.SetAction(result =>
        {
            var settings = (result.GetValue(quick) ? AblationSettings.Quick : AblationSettings.Full) with
            {
                Threads = result.GetValue(threads),
                Seed = result.GetValue(seed),
                WaitPolicy = waitPolicy,
            };
            if (result.GetValue(steps) is { } stepCount)
            {
                settings = settings with { Steps = stepCount, WarmupSteps = stepCount / 10 };
            }

            if (result.GetValue(learningRate) is { } rate)
            {
                settings = settings with { LearningRate = rate };
            }

            return Run(settings, result.GetValue(variants) ?? Array.Empty<string>(), result.GetValue(data), result.GetValue(output)!, commandLine);
        });
        return command;
    }

    /// <summary>Runs the grid (or the named variants) with <paramref name="settings"/> and writes the three files into <paramref name="output"/>.</summary>
    /// <param name="settings">How to measure.</param>
    /// <param name="variantNames">Variants to measure (names, or comma-separated lists of names); empty for all.</param>
    /// <param name="dataPath">A dataset on disk, or <c>null</c> for the embedded synthetic volumes.</param>
    /// <param name="output">Directory for the three files.</param>
    /// <param name="commandLine">Recorded in the report.</param>
    /// <returns>0 on success, 2 for invalid settings, variant names or data (the message goes to standard error).</returns>
    public static int Run(AblationSettings settings, IReadOnlyCollection<string> variantNames, string? dataPath, string output, string commandLine)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(variantNames);
        IReadOnlyList<AblationVariant> variants;
        AblationRunner runner;
        try
        {
            variants = AblationGrid.Select(variantNames.SelectMany(n => n.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray());
            runner = new AblationRunner(settings, Console.Out);
        }
        catch (ArgumentException error)
        {
            Console.Error.WriteLine(error.Message);
            return 2;
        }

        DatasetSplits? data = null;
        try
        {
            if (dataPath is not null)
            {
                data = SegmentationDatasets.Open(dataPath);
                settings = settings with { Dataset = Describe(data) };
            }

            return Run(settings, variants, runner, data, output, commandLine);
        }
        catch (Exception error) when (error is DatasetException or NiftiFormatException or IOException)
        {
            Console.Error.WriteLine(error.Message);
            return 2;
        }
        finally
        {
            data?.Dispose();
        }
    }

    private static int Run(AblationSettings settings, IReadOnlyList<AblationVariant> variants, AblationRunner runner, DatasetSplits? data, string output, string commandLine)
    {
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var loadAtStart = LoadAverage();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"UNETR ablation ({(settings.IsQuick ? "quick" : "full")}): {variants.Count} variants, {settings.Steps} training steps each, {settings.Threads} libtorch threads (OpenMP wait policy {settings.WaitPolicy}), seed {settings.Seed}, TorchSharp {TorchSharpVersion}"));
        Console.WriteLine($"Data: {settings.Describe().Single(setting => setting.Name == "data").Value}");
        var rows = runner.Run(variants, data);
        clock.Stop();

        var info = new AblationRunInfo(commandLine, started, Machine(), TorchSharpVersion, $"{loadAtStart} → {LoadAverage()}", clock.Elapsed, settings);
        var files = AblationOutput.Write(output, rows, info);
        Console.WriteLine();
        Console.Write(AblationReport.Table(rows));
        Console.WriteLine();
        Console.WriteLine($"Pareto front, Dice against MACs: {string.Join(" → ", AblationReport.FrontByMacs(rows).Select(i => rows[i].Name))}");
        Console.WriteLine($"Pareto front, Dice against forward latency: {string.Join(" → ", AblationReport.FrontByLatency(rows).Select(i => rows[i].Name))}");
        Console.WriteLine($"Wrote {string.Join(", ", files)}");
        Console.WriteLine($"Wall time {clock.Elapsed:hh\\:mm\\:ss}; load average {info.LoadAverage}.");
        return 0;
    }

    private static string Describe(DatasetSplits data)
    {
        var heldOut = data.ValidationHeldOut ? " held out from the training list" : string.Empty;
        return string.Create(CultureInfo.InvariantCulture,
            $"{data.Name} ({data.Source}): {data.Training.Count} training volumes, Dice on {data.Validation.Count} validation volumes{heldOut}, as stored (no preprocessing)");
    }

    private static string TorchSharpVersion => typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown";

    private static string Machine()
    {
        const string cpuInfo = "/proc/cpuinfo";
        var model = File.Exists(cpuInfo)
            ? File.ReadLines(cpuInfo).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        return $"{RuntimeInformation.OSDescription}, {model ?? RuntimeInformation.ProcessArchitecture.ToString()}, {Environment.ProcessorCount} logical cores, .NET {Environment.Version}";
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";
}
