using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using TorchSharp;
using Unetr.Model.Checkpoints;
using Unetr.Model.Data;
using Unetr.Model.Inference;
using Unetr.Model.Presets;
using Unetr.Model.Training;
using Unetr.Model.Training.Distributed;
using static TorchSharp.torch;

namespace Unetr.CommandLine;

/// <summary>The <c>train</c> command: trains a preset on the embedded synthetic dataset or a dataset on disk and reports held-out Dice.</summary>
internal static class TrainCommand
{
    private const string DefaultModel = nameof(TinyMonaiUnetr);

    // Defaults tuned so that TinyMonaiUnetr passes a held-out mean Dice of 0.9 within minutes on two cores. The learning
    // rate is ten times the recipe's 1e-4 (the library default): the recipe trains for hours, this run for minutes.
    private const int DefaultSteps = 1200;

    private const int DefaultBatchSize = 2;

    private const double DefaultLearningRate = 1e-3;

    private const int DefaultWarmup = 50;

    private const int DefaultValidateEvery = 200;

    private const int DefaultTrainVolumes = 256;

    private const int DefaultValidationVolumes = 16;

    private const int DefaultTestVolumes = 32;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Builds the command with its options and action.</summary>
    public static Command Create(ModelCatalog models)
    {
        var defaults = new TrainingOptions();
        var model = new Option<string>("--model") { Description = "Network to train: " + models.Names, DefaultValueFactory = _ => DefaultModel };
        var steps = OptionRules.Positive(new Option<int>("--steps") { Description = "Optimisation steps.", DefaultValueFactory = _ => DefaultSteps });
        var batchSize = OptionRules.Positive(new Option<int>("--batch-size") { Description = "Volumes per step.", DefaultValueFactory = _ => DefaultBatchSize });
        var learningRate = OptionRules.Positive(new Option<double>("--lr") { Description = "Peak AdamW learning rate.", DefaultValueFactory = _ => DefaultLearningRate });
        var warmup = OptionRules.NotNegative(new Option<int>("--warmup") { Description = "Linear warm-up steps before the cosine decay.", DefaultValueFactory = _ => DefaultWarmup });
        var weightDecay = OptionRules.NotNegative(new Option<double>("--weight-decay") { Description = "AdamW weight decay.", DefaultValueFactory = _ => defaults.WeightDecay });
        var maxGradientNorm = OptionRules.NotNegative(new Option<double>("--max-grad-norm") { Description = "Clip the gradients' global L2 norm to this (0: no clipping).", DefaultValueFactory = _ => defaults.MaxGradientNorm });
        var validateEvery = OptionRules.Positive(new Option<int>("--validate-every") { Description = "Validate and write checkpoints every this many steps.", DefaultValueFactory = _ => DefaultValidateEvery });
        var trainVolumes = OptionRules.Positive(new Option<int>("--train-volumes") { Description = "Synthetic training volumes (seeds 0, 1, …).", DefaultValueFactory = _ => DefaultTrainVolumes });
        var validationVolumes = OptionRules.Positive(new Option<int>("--validation-volumes") { Description = $"Held-out volumes that choose the best checkpoint (seeds {SyntheticDataset.ValidationSeed:N0}, …).", DefaultValueFactory = _ => DefaultValidationVolumes });
        var testVolumes = OptionRules.Positive(new Option<int>("--test-volumes") { Description = $"Held-out volumes the best checkpoint is finally scored on (seeds {SyntheticDataset.TestSeed:N0}, …).", DefaultValueFactory = _ => DefaultTestVolumes });
        var seed = new Option<long>("--seed") { Description = "Seeds weight initialisation, dropout, volume order and augmentation.", DefaultValueFactory = _ => defaults.Seed };
        var output = new Option<string>("--output") { Description = $"Directory for {CheckpointFiles.Last}, {CheckpointFiles.Best} and {CheckpointFiles.BestWeights}.", DefaultValueFactory = _ => Path.Combine("runs", "train") };
        var resume = new Option<string?>("--resume") { Description = $"Continue from a training checkpoint (e.g. runs/train/{CheckpointFiles.Last}) with the same options." };
        var threads = OptionRules.NotNegative(new Option<int>("--threads")
        {
            Description = "libtorch CPU threads; 0 keeps libtorch's default (one per core). Before OpenMP waiting was made passive, 1 thread was several times faster on a machine whose cores other jobs share; it may still help there.",
            DefaultValueFactory = _ => 0,
        });
        var distributed = new Option<bool>("--distributed")
        {
            Description = "Data-parallel training over MPI: start one process per rank with mpirun (e.g. mpirun -np 2 unetr train --distributed …); --batch-size is the global batch, split evenly across the ranks; only rank 0 prints and writes files.",
        };
        var logEvery = OptionRules.Positive(new Option<int>("--log-every") { Description = "Print the loss every this many steps.", DefaultValueFactory = _ => 50 });
        var data = new DataOptions();

        var command = new Command("train", "Train a preset on the embedded synthetic dataset (no download) or a dataset.json / folder (--data) and report the held-out mean Dice.")
        {
            model, steps, batchSize, learningRate, warmup, weightDecay, maxGradientNorm, validateEvery,
            trainVolumes, validationVolumes, testVolumes, seed, output, resume, threads, logEvery, distributed,
        };
        foreach (var option in data.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(result => CommandFailure.Report(() => Run(
            models,
            new Settings(
                result.GetValue(model)!,
                new TrainingOptions
                {
                    Steps = result.GetValue(steps),
                    BatchSize = result.GetValue(batchSize),
                    LearningRate = result.GetValue(learningRate),
                    WarmupSteps = result.GetValue(warmup),
                    WeightDecay = result.GetValue(weightDecay),
                    MaxGradientNorm = result.GetValue(maxGradientNorm),
                    ValidateEvery = result.GetValue(validateEvery),
                    Seed = result.GetValue(seed),
                },
                result.GetValue(trainVolumes),
                result.GetValue(validationVolumes),
                result.GetValue(testVolumes),
                result.GetValue(output)!,
                result.GetValue(resume),
                result.GetValue(threads),
                result.GetValue(logEvery),
                result.GetValue(distributed),
                data.Read(result)))));
        return command;
    }

    private sealed record Settings(
        string Model,
        TrainingOptions Options,
        int TrainVolumes,
        int ValidationVolumes,
        int TestVolumes,
        string Output,
        string? Resume,
        int Threads,
        int LogEvery,
        bool Distributed,
        DataChoice Data);

    private static int Run(ModelCatalog models, Settings settings)
    {
        if (settings.Options.WarmupSteps >= settings.Options.Steps)
        {
            Console.Error.WriteLine($"--warmup ({settings.Options.WarmupSteps}) must be less than --steps ({settings.Options.Steps}).");
            return 2;
        }

        Preset preset;
        try
        {
            preset = models.Find(settings.Model);
            settings.Options.Validate();
        }
        catch (ArgumentException error)
        {
            Console.Error.WriteLine(error.Message);
            return 2;
        }

        var input = preset.Summary.InputShape;
        var size = input.Count == 4 && input[1] == input[2] && input[2] == input[3] ? (int)input[1] : -1;
        if (settings.Data.Path is null && settings.Data.PreprocessingOptions.Count > 0)
        {
            Console.Error.WriteLine($"Preprocessing options ({string.Join(", ", settings.Data.PreprocessingOptions)}) apply to volumes read from disk; add --data <dataset.json or folder>.");
            return 2;
        }

        if (settings.Data.Path is null && (size < 0 || input[0] != 1 || preset.OutputShape[0] != SyntheticVolume.ClassCount))
        {
            Console.Error.WriteLine(
                $"{preset.Name} takes [{string.Join(", ", input)}] and predicts {preset.OutputShape[0]} classes; the embedded dataset needs a 3D network with a cubic input of 1 channel and {SyntheticVolume.ClassCount} classes ({string.Join(", ", SyntheticVolume.ClassNames)}).");
            return 2;
        }

        if (settings.TrainVolumes > SyntheticDataset.ValidationSeed || settings.ValidationVolumes > SyntheticDataset.TestSeed - SyntheticDataset.ValidationSeed)
        {
            Console.Error.WriteLine($"At most {SyntheticDataset.ValidationSeed:N0} training and {SyntheticDataset.TestSeed - SyntheticDataset.ValidationSeed:N0} validation volumes, so that the seed ranges stay apart.");
            return 2;
        }

        if (settings.Resume is { } resumePath && !File.Exists(resumePath))
        {
            Console.Error.WriteLine($"No checkpoint at '{resumePath}'.");
            return 2;
        }

        if (!settings.Distributed)
        {
            return Train(preset, settings, group: null);
        }

        var batchSize = settings.Options.BatchSize;
        return DistributedRun.Run(
            batchSize,
            ranks => $"--batch-size {batchSize} does not split evenly across {ranks} ranks; use a multiple of {ranks} (every rank takes --batch-size / ranks volumes of each batch).",
            group => Train(preset, settings, group));
    }

    private static int Train(Preset preset, Settings settings, MpiProcessGroup? group)
    {
        var input = preset.Summary.InputShape;
        var size = input.Count == 4 && input[1] == input[2] && input[2] == input[3] ? (int)input[1] : -1;
        var writes = group is not { Rank: > 0 };

        var bestWeights = Path.Combine(settings.Output, CheckpointFiles.BestWeights);
        var preprocessingFile = PreprocessingFile.BesideWeights(bestWeights);
        if (writes)
        {
            OutputPaths.RequireFolder(
            settings.Output,
            "--output",
            CheckpointFiles.Last,
            CheckpointFiles.Best,
            CheckpointFiles.BestWeights,
            Path.GetFileName(preprocessingFile),
            TrainingCurves.CsvFile,
            TrainingCurves.PngFile);

            // The output folder belongs to this run, so every temporary of AtomicFile's pattern in it is a kill's leftover.
            foreach (var stale in AtomicFile.RemoveStale(settings.Output))
            {
                Console.WriteLine($"Removed {stale}, left by an earlier run that was stopped while writing.");
            }
        }

        if (settings.Threads > 0)
        {
            torch.set_num_threads(settings.Threads);
        }
        else if (group is not null)
        {
            // Ranks that share a machine share its cores.
            torch.set_num_threads(Math.Max(1, Environment.ProcessorCount / group.LocalSize));
        }

        var clock = Stopwatch.StartNew();
        var options = settings.Options with { ForegroundCropProbability = settings.Data.ForegroundCropProbability };
        using var data = settings.Data.Path is null ? SegmentationDatasets.Synthetic(settings.TrainVolumes, settings.ValidationVolumes, size) : settings.Data.Open(preset);
        if (data is null)
        {
            return 2;
        }

        // Volumes on disk come in any size: validate and test them through a sliding window of the network's input size.
        var window = new SlidingWindowInferer(input.Skip(1).ToArray());
        Func<Tensor, Tensor>? Infer(torch.nn.Module<Tensor, Tensor> network) =>
            settings.Data.Path is null ? null : image => window.Run(image, network.call);
        var validation = data.Validation;
        using var trainer = new Trainer(preset.Create, input, data.Training, options, group);
        if (settings.Resume is { } checkpoint)
        {
            try
            {
                trainer.LoadCheckpoint(checkpoint);
            }
            catch (InvalidDataException error)
            {
                Console.Error.WriteLine(error.Message);
                return 2;
            }

            Console.WriteLine($"Resumed from {checkpoint} at step {trainer.Step}.");
            if (trainer.BestMeanDice is { } resumedBest && !File.Exists(bestWeights))
            {
                Console.WriteLine(string.Create(Invariant,
                    $"{Path.GetFullPath(settings.Output)} holds no {CheckpointFiles.BestWeights}: the best of this run's validations will be saved there (the best so far, step {trainer.BestStep} with validation {resumedBest:F4}, stays beside {checkpoint})."));
            }
        }

        Console.WriteLine(string.Create(Invariant,
            $"Training {ModelCatalog.QualifiedName(preset)} ({preset.Summary.Parameters:N0} parameters) on {Volumes(settings, data, size)}: {options.Steps} steps of batch {options.BatchSize}, AdamW lr {options.LearningRate:G3} (warm-up {options.WarmupSteps}, cosine), weight decay {options.WeightDecay:G3}, seed {options.Seed}, {torch.get_num_threads()} libtorch threads{Ranks(group, trainer)}."));
        Console.WriteLine($"Classes: {string.Join(", ", data.ClassNames.Select((name, c) => $"{c} {name}"))}. Checkpoints: {Path.GetFullPath(settings.Output)}");

        // Before the first best.pt: whatever weights stand beside it, this file describes how their volumes were prepared
        // (none for the embedded volumes), so that a previous run's settings never outlive its weights.
        if (writes)
        {
            Directory.CreateDirectory(settings.Output);
            PreprocessingFile.Write(preprocessingFile, settings.Data.Preprocessing);
        }

        // The first Ctrl+C stops after the current step and saves last.ckpt; a second one ends the process at once.
        // (UnetrCommandLine.Run's synchronous Invoke installs no handler of its own, so without this Ctrl+C would lose the run.)
        using var interrupt = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = !interrupt.IsCancellationRequested;
            interrupt.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        // The curves continue from the checkpoint's folder, which is the output folder unless the run resumes into a new one.
        var curves = TrainingCurves.Continuing(settings.Resume is { } resumed ? Path.GetDirectoryName(Path.GetFullPath(resumed))! : settings.Output, trainer.Step);
        var progress = new TrainingProgress(options.Steps, trainer.Step, settings.LogEvery, TrainingProgress.IsTerminal);
        TrainingSummary summary;
        try
        {
            summary = progress.Run(() => trainer.Run(
                validation,
                settings.Output,
                onStep: step =>
                {
                    curves.Add(step);
                    progress.Step(step);
                },
                onValidation: v => progress.Validation(v, string.Create(Invariant,
                    $"validation at step {v.Step}: mean Dice {v.Score.Mean:F4} ({Describe(v.Score, data.ClassNames)}){(v.IsBest ? "  best so far, saved" : string.Empty)}")),
                infer: Infer(trainer.Model),
                cancellation: interrupt.Token,
                beforeCheckpoint: v =>
                {
                    // Written before the checkpoints, so that a kill at any moment leaves curves that cover the checkpoints' steps.
                    if (v is not null)
                    {
                        curves.Add(v);
                    }

                    curves.Write(settings.Output);
                }));
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"Interrupted at step {trainer.Step}; the state is in {Path.Combine(settings.Output, CheckpointFiles.Last)} (continue with --resume).");
            return 130;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }

        // Score the exported weights, read back through the PyTorch state-dict loader, on volumes that chose nothing.
        // A dataset on disk has no labelled test split, so there the score is on the validation volumes that chose them.
        // With several ranks, rank 0 reads them (the output folder may be its alone) and the scoring is sharded.
        using var best = preset.Create();
        if (writes)
        {
            StateDictLoader.Load(best, bestWeights);
        }

        group?.BroadcastState(best);
        var scored = settings.Data.Path is null ? SyntheticDataset.Test(settings.TestVolumes, size) : validation;
        var test = SegmentationEvaluator.Evaluate(best, input, scored, Infer(best), group);
        var scoredName = settings.Data.Path is null ? "test volumes" : "validation volumes (no labelled test split on disk)";
        Console.WriteLine(string.Create(Invariant,
            $"Held-out mean Dice {test.Mean:F4} ({Describe(test, data.ClassNames)}) on {test.Volumes} {scoredName}; best checkpoint from step {summary.BestStep} (validation {summary.BestMeanDice:F4}) in {Path.GetFullPath(bestWeights)}"));
        Console.WriteLine($"Curves: {Path.GetFullPath(Path.Combine(settings.Output, TrainingCurves.PngFile))} and {TrainingCurves.CsvFile}.");
        Console.WriteLine(
            $"Segment an image with: unetr infer --model {ModelCatalog.QualifiedName(preset)} --weights {bestWeights} {PreprocessingOptions.AsArguments(settings.Data.Preprocessing)} --input <image.nii.gz> --output <labels.nii.gz>");
        Console.WriteLine($"(infer and evaluate also read these preprocessing settings by themselves from {preprocessingFile}, beside the weights.)");
        Console.WriteLine($"Wall time {clock.Elapsed:hh\\:mm\\:ss} ({summary.Steps.Count} steps this run).");
        Console.WriteLine(Throughput(summary.Steps.Count * options.BatchSize, trainer, group));
        return 0;
    }

    private static string Ranks(MpiProcessGroup? group, Trainer trainer) =>
        group is null ? string.Empty : $" per rank, data-parallel on {group.Size} MPI ranks ({group.LocalSize} on this machine) with {trainer.ShardSize} volumes of every batch each";

    // Rank 0's clock: its step time includes any wait for slower ranks inside the allreduce, counted as communication.
    private static string Throughput(long volumes, Trainer trainer, MpiProcessGroup? group) =>
        trainer.StepTime <= TimeSpan.Zero
            ? "Throughput: no steps this run."
            : string.Create(Invariant,
                $"Throughput: {volumes / trainer.StepTime.TotalSeconds:F2} volumes/s in training steps ({trainer.StepTime.TotalSeconds:F1} s for {volumes} volumes on {group?.Size ?? 1} rank{(group is { Size: > 1 } ? "s" : string.Empty)}); collectives {100 * trainer.CommunicationTime / trainer.StepTime:F1}% of step time.");

    private static string Describe(DiceScore score, IReadOnlyList<string> classNames) =>
        string.Join(", ", score.PerClass.Select((dice, c) => (dice, c)).Skip(1).Select(x => string.Create(Invariant, $"{classNames[x.c]} {x.dice:F4}")));

    private static string Volumes(Settings settings, DatasetSplits data, int size) =>
        settings.Data.Path is null
            ? $"{settings.TrainVolumes} synthetic {size}³ volumes"
            : $"{data.Training.Count} volumes of '{data.Name}' ({data.Source}; {data.Validation.Count} {(data.ValidationHeldOut ? "held out" : "listed")} for validation)";
}
