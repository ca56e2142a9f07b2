using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using TorchSharp;
using Unetr.Measurement.Speed;
using Unetr.Model.Data;
using Unetr.Model.Data.Sources;
using Unetr.Model.Inference;
using Unetr.Model.Training;
using static TorchSharp.torch;

namespace Unetr.Measurement.Ablation;

/// <summary>
/// Measures ablation variants one after another with the same settings, data and seeds: compile-time parameters and
/// MACs, forward and train-step latency, peak memory of training, and held-out Dice after a fixed training budget on
/// the embedded synthetic dataset or on a dataset from disk.
/// </summary>
/// <remarks>
/// For each variant, in this order: the train step is timed (and its memory measured) on a fixed random batch of one
/// sample with the speed suites' <see cref="TrainStepWorkload"/>; the forward pass is timed with their
/// <see cref="ForwardWorkload"/>; then a fresh network is trained by <see cref="Trainer"/> (as <c>unetr train</c>
/// does: DiceCE, clipping, augmentation) for <see cref="AblationSettings.Steps"/> steps and its final weights are scored.
/// Every phase reseeds libtorch with <see cref="AblationSettings.Seed"/>, so a variant's figures do not depend on
/// which variants ran before it.
/// </remarks>
public sealed class AblationRunner
{
    private readonly AblationSettings _settings;
    private readonly TextWriter _log;

    /// <summary>Creates a runner that prints one progress line per variant to <paramref name="log"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public AblationRunner(AblationSettings settings, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(log);
        settings.Validate();
        _settings = settings;
        _log = log;
    }

    /// <summary>Sets libtorch's thread count and measures every variant, in order.</summary>
    /// <param name="variants">The networks to measure.</param>
    /// <param name="data">
    /// A dataset from disk (<see cref="SegmentationDatasets.Open"/>): every variant trains on its training volumes and
    /// is scored on its validation volumes through a sliding window of the variant's input size. <c>null</c>: the
    /// embedded synthetic volumes (<see cref="AblationSettings.TrainVolumes"/> training volumes, scored on
    /// <see cref="AblationSettings.HeldOutVolumes"/> of the standard test range).
    /// </param>
    /// <exception cref="ArgumentException">A variant cannot train on the embedded dataset (see <see cref="RequireDatasetShape"/>) or is not 3D.</exception>
    /// <exception cref="DatasetException">A variant's channels or classes do not fit <paramref name="data"/>.</exception>
    public IReadOnlyList<AblationRow> Run(IReadOnlyList<AblationVariant> variants, DatasetSplits? data = null)
    {
        ArgumentNullException.ThrowIfNull(variants);
        if (variants.Count == 0)
        {
            throw new ArgumentException("No variant to measure.", nameof(variants));
        }

        foreach (var variant in variants)
        {
            if (data is null)
            {
                RequireDatasetShape(variant);
            }
            else if (variant.InputShape.Count != 4)
            {
                throw new ArgumentException($"{variant.Name} takes [{string.Join(", ", variant.InputShape)}]; a dataset on disk needs a 3D network (input [channels, D, H, W]).", nameof(variants));
            }
            else
            {
                data.EnsureFits(variant.Name, variant.InputShape[0], variant.Classes);
            }
        }

        torch.set_num_threads(_settings.Threads);
        WarmUp(variants[0]);
        var rows = new List<AblationRow>(variants.Count);
        for (var i = 0; i < variants.Count; i++)
        {
            var row = Measure(variants[i], data);
            rows.Add(row);
            _log.WriteLine(Progress(i + 1, variants.Count, row));
        }

        return rows;
    }

    /// <summary>
    /// Throws unless <paramref name="variant"/> takes what the embedded dataset provides: one channel, a cube of at
    /// least <see cref="SyntheticVolume.MinimumSize"/>, and <see cref="SyntheticVolume.ClassCount"/> classes.
    /// </summary>
    public static void RequireDatasetShape(AblationVariant variant)
    {
        ArgumentNullException.ThrowIfNull(variant);
        var input = variant.InputShape;
        var isCube = input.Count == 4 && input[1] == input[2] && input[2] == input[3] && input[1] >= SyntheticVolume.MinimumSize;
        if (!isCube || input[0] != 1 || variant.Classes != SyntheticVolume.ClassCount)
        {
            throw new ArgumentException(
                $"{variant.Name} takes [{string.Join(", ", input)}] and predicts {variant.Classes} classes; the embedded dataset needs "
                + $"[1, S, S, S] with S ≥ {SyntheticVolume.MinimumSize} and {SyntheticVolume.ClassCount} classes.",
                nameof(variant));
        }
    }

    /// <summary>
    /// One untimed train step and forward pass, so that libtorch's one-time costs (thread pool, allocator, kernel
    /// selection) fall on no variant's figures, the first one's included.
    /// </summary>
    private void WarmUp(AblationVariant variant)
    {
        var network = variant.ToBenchNetwork();
        torch.manual_seed(_settings.Seed);
        using (var train = new TrainStepWorkload(variant.Create(), network))
        {
            train.Run();
        }

        using var forward = new ForwardWorkload(variant.Create(), network);
        forward.Run().Dispose();
    }

    private AblationRow Measure(AblationVariant variant, DatasetSplits? data)
    {
        var network = variant.ToBenchNetwork();

        torch.manual_seed(_settings.Seed);
        var trainStep = double.NaN;
        var peakMemory = PeakMemory.Measure(() =>
        {
            using var workload = new TrainStepWorkload(variant.Create(), network);
            trainStep = Timing.Measure(() => workload.Run(), _settings.TrainStepRepeats).Median;
        });

        torch.manual_seed(_settings.Seed);
        double forward;
        using (var workload = new ForwardWorkload(variant.Create(), network))
        {
            forward = Timing.Measure(() => workload.Run().Dispose(), _settings.ForwardRepeats).Median;
        }

        var size = (int)variant.InputShape[1];
        var training = data?.Training ?? SyntheticDataset.Training(_settings.TrainVolumes, size);
        var scored = data?.Validation ?? SyntheticDataset.Test(_settings.HeldOutVolumes, size);
        var window = new SlidingWindowInferer(variant.InputShape.Skip(1).ToArray());
        var options = new TrainingOptions
        {
            Steps = _settings.Steps,
            BatchSize = _settings.BatchSize,
            LearningRate = _settings.LearningRate,
            WarmupSteps = _settings.WarmupSteps,
            ValidateEvery = _settings.Steps,
            Seed = _settings.Seed,
        };
        var clock = Stopwatch.StartNew();
        using var trainer = new Trainer(variant.Create, variant.InputShape, training, options);
        StepResult? last = null;
        while (trainer.Step < options.Steps)
        {
            last = trainer.TrainStep();
        }

        var trainingSeconds = clock.Elapsed.TotalSeconds;
        // Synthetic volumes have the network's size; volumes on disk come in any size and go through a sliding window.
        Func<Tensor, Tensor>? infer = data is null ? null : image => window.Run(image, trainer.Model.call);
        var score = trainer.Validate(scored, infer);

        return new AblationRow(
            variant.Name,
            variant.Factor,
            variant.Change,
            variant.Summary.Parameters,
            variant.Summary.MultiplyAccumulates,
            forward,
            trainStep,
            peakMemory,
            score.Mean,
            score.PerClass.Skip(1).ToArray(),
            last!.Loss,
            trainingSeconds);
    }

    private static string Progress(int index, int count, AblationRow row) => string.Create(CultureInfo.InvariantCulture,
        $"[{index}/{count}] {row.Name,-22} {row.Parameters / 1e6,7:F2} M params {row.MultiplyAccumulates / 1e9,6:F2} GMAC  "
        + $"forward {row.ForwardSeconds * 1e3,7:F1} ms  train step {row.TrainStepSeconds * 1e3,7:F1} ms  "
        + $"peak memory {AblationReport.Mebibytes(row.PeakMemoryBytes),7}  Dice {row.Dice:F4}  (training {row.TrainingSeconds:F1} s, final loss {row.FinalLoss:F4})");
}
