using System;
using System.CommandLine;
using System.Diagnostics;
using System.Linq;
using TorchSharp;
using Unetr.Measurement.Ablation;
using Unetr.Measurement.Speed;
using Unetr.Model.Data;
using Unetr.Model.Data.Sources;
using Unetr.Model.Inference;
using Unetr.Model.Presets;
using Unetr.Model.Training;
using Unetr.Model.Training.Distributed;
using static TorchSharp.torch;

namespace Unetr.CommandLine.Ablation;

/// <summary>Runs one job of a plan in this process (the <c>ablate job</c> verb) and returns its result.</summary>
internal static class AblationJobRunner
{
    /// <summary>Runs <paramref name="job"/> of <paramref name="plan"/> on <paramref name="network"/> with <paramref name="threads"/> libtorch threads.</summary>
    /// <param name="plan">The plan.</param>
    /// <param name="job">One of its jobs.</param>
    /// <param name="network">The job's network, from the host's catalog.</param>
    /// <param name="threads">libtorch threads (of each rank).</param>
    /// <param name="group">
    /// The MPI ranks a training job runs data-parallel on (every rank calls this; each trains on its share of every batch and
    /// scores its share of the held-out volumes), or <c>null</c> for one process. A measurement times one process: no group.
    /// </param>
    public static AblationJobResult Run(AblationPlan plan, AblationJob job, Preset network, int threads, IProcessGroup? group = null)
    {
        if (group is not null && job.Kind == AblationJobKind.Measure)
        {
            throw new ArgumentException($"{job} times one process; it cannot run over {group.Size} ranks.", nameof(group));
        }

        torch.set_num_threads(threads);
        var machine = Environment.MachineName;
        if (job.Kind == AblationJobKind.Measure)
        {
            var (forward, trainStep, peak) = Measure(plan.Settings, network, job.Seed);
            return new AblationJobResult(job, null, null, null, null, forward, trainStep, peak, threads, machine);
        }

        var (dice, classDice, loss, seconds, ranks) = Train(plan, network, job.Seed, group);
        return new AblationJobResult(job, dice, classDice, loss, seconds, null, null, null, threads, machine, ranks);
    }

    /// <summary>
    /// Throws unless <paramref name="network"/> takes what the embedded dataset provides: one channel, a cube of at
    /// least <see cref="SyntheticVolume.MinimumSize"/>, and <see cref="SyntheticVolume.ClassCount"/> classes.
    /// </summary>
    public static void RequireSyntheticShape(Preset network)
    {
        var input = network.Summary.InputShape;
        if (!FitsSyntheticData(network))
        {
            throw new UsageException(
                $"{network.Name} takes [{string.Join(", ", input)}] and predicts {network.OutputShape[0]} classes; the embedded dataset needs "
                + $"[1, S, S, S] with S ≥ {SyntheticVolume.MinimumSize} and {SyntheticVolume.ClassCount} classes (or give --data).");
        }
    }

    /// <summary>Whether the embedded dataset can feed <paramref name="network"/> (see <see cref="RequireSyntheticShape"/>).</summary>
    public static bool FitsSyntheticData(Preset network)
    {
        var input = network.Summary.InputShape;
        var isCube = input.Count == 4 && input[1] == input[2] && input[2] == input[3] && input[1] >= SyntheticVolume.MinimumSize;
        return isCube && input[0] == 1 && network.OutputShape[0] == SyntheticVolume.ClassCount;
    }

    private static (double Forward, double TrainStep, long? Peak) Measure(AblationSettings settings, Preset network, long seed)
    {
        // In a fresh process: libtorch's one-time costs (thread pool, allocator) fall on every variant alike, and no
        // variant inherits another's heap.
        var bench = new BenchNetwork(network.Name, network.Summary.InputShape, network.OutputShape[0], network.Summary.MultiplyAccumulates, network.Create);
        torch.manual_seed(seed);
        var trainStep = double.NaN;
        var peak = PeakMemory.Measure(() =>
        {
            using var workload = new TrainStepWorkload(network.Create(), bench);
            trainStep = Timing.Measure(() => workload.Run(), settings.TrainStepRepeats).Median;
        });

        torch.manual_seed(seed);
        using var forward = new ForwardWorkload(network.Create(), bench);
        return (Timing.Measure(() => forward.Run().Dispose(), settings.ForwardRepeats).Median, trainStep, peak);
    }

    // Ranks as the trainer split the batch, so that the result records what the training did, not what was asked for.
    private static (double Dice, double[] ClassDice, double Loss, double Seconds, int Ranks) Train(AblationPlan plan, Preset network, long seed, IProcessGroup? group)
    {
        var settings = plan.Settings;
        var input = network.Summary.InputShape;
        using var data = Open(plan.Data, network);
        var size = (int)input[1];
        var training = data?.Training ?? SyntheticDataset.Training(settings.TrainVolumes, size);
        var scored = data?.Validation ?? SyntheticDataset.Test(settings.HeldOutVolumes, size);
        var options = new TrainingOptions
        {
            Steps = settings.Steps,
            BatchSize = settings.BatchSize,
            LearningRate = settings.LearningRate,
            WarmupSteps = settings.WarmupSteps,
            ValidateEvery = settings.Steps,
            Seed = seed,
            ForegroundCropProbability = plan.Data?.ForegroundCropProbability,
        };
        var clock = Stopwatch.StartNew();
        using var trainer = new Trainer(network.Create, input, training, options, group);
        StepResult? last = null;
        while (trainer.Step < options.Steps)
        {
            last = trainer.TrainStep();
        }

        var seconds = clock.Elapsed.TotalSeconds;

        // Synthetic volumes have the network's size; volumes on disk come in any size and go through a sliding window.
        var window = new SlidingWindowInferer(input.Skip(1).ToArray());
        Func<Tensor, Tensor>? infer = data is null ? null : image => window.Run(image, trainer.Model.call);
        var score = trainer.Validate(scored, infer);
        return (score.Mean, score.PerClass.Skip(1).ToArray(), last!.Loss, seconds, options.BatchSize / trainer.ShardSize);
    }

    /// <summary>Opens the planned dataset for <paramref name="network"/> with the preprocessing the plan names, as <c>train --data</c> would.</summary>
    private static DatasetSplits? Open(AblationPlannedData? planned, Preset network)
    {
        if (planned is null)
        {
            RequireSyntheticShape(network);
            return null;
        }

        var options = new DataOptions();
        var command = new Command("data");
        foreach (var option in options.All)
        {
            command.Options.Add(option);
        }

        var arguments = new[] { "--data", planned.Path }
            .Concat(planned.Preprocessing.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Concat(planned.ReplaceNonFiniteVoxels ? new[] { "--non-finite-voxels", "zero" } : Array.Empty<string>())
            .ToArray();
        var parsed = command.Parse(arguments);
        if (parsed.Errors.Count > 0)
        {
            throw new UsageException($"The plan's data options '{string.Join(" ", arguments)}' do not parse: {parsed.Errors[0].Message}");
        }

        return options.Read(parsed).Open(network) ?? throw new UsageException($"Could not open {planned.Path} for {network.Name} (see above).");
    }
}
