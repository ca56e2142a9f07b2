using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Unetr.Model.Checkpoints;
using Unetr.Model.Data;
using Unetr.Model.Inference;
using Unetr.Model.Training;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Training;

[Collection(TrainingCollection.Name)]
public sealed class TrainerTests : IDisposable
{
    private static readonly SyntheticDataset TrainingVolumes = SyntheticDataset.Training(16, 20);
    private static readonly SyntheticDataset ValidationVolumes = SyntheticDataset.Validation(2, 16);

    private static readonly TrainingOptions Options = new()
    {
        Steps = 40,
        BatchSize = 2,
        LearningRate = 3e-3,
        WarmupSteps = 4,
        ValidateEvery = 20,
        Seed = 11,
    };

    private readonly string _directory = Directory.CreateTempSubdirectory("unetr-trainer-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Resumed_run_continues_the_uninterrupted_loss_trajectory()
    {
        const int half = 5;
        double[] straight;
        using (var trainer = NewTrainer())
        {
            straight = Enumerable.Range(0, 2 * half).Select(_ => trainer.TrainStep().Loss).ToArray();
        }

        var checkpoint = Path.Combine(_directory, "half.ckpt");
        double[] firstHalf;
        using (var trainer = NewTrainer())
        {
            firstHalf = Enumerable.Range(0, half).Select(_ => trainer.TrainStep().Loss).ToArray();
            trainer.SaveCheckpoint(checkpoint);
        }

        // A different seed: everything the resumed run needs must come from the checkpoint, not from the options.
        double[] secondHalf;
        using (var resumed = NewTrainer(Options with { Seed = 12345 }))
        {
            resumed.LoadCheckpoint(checkpoint);
            Assert.Equal(half, resumed.Step);
            secondHalf = Enumerable.Range(0, half).Select(_ => resumed.TrainStep().Loss).ToArray();
        }

        Assert.Equal(straight, firstHalf.Concat(secondHalf), (a, b) => Math.Abs(a - b) <= 1e-6);

        // The trajectory is not flat, so matching it means something.
        Assert.True(straight.Distinct().Count() == straight.Length);
    }

    [Fact]
    public void Short_seeded_run_lowers_the_loss()
    {
        using var trainer = NewTrainer();

        var losses = Enumerable.Range(0, Options.Steps).Select(_ => trainer.TrainStep().Loss).ToArray();

        var first = losses.Take(5).Average();
        var last = losses.TakeLast(5).Average();
        Assert.True(last < 0.8 * first, $"loss went from {first:F4} to {last:F4}");
    }

    [Fact]
    public void Run_keeps_the_best_checkpoint_and_its_weights_load_as_a_pytorch_state_dict()
    {
        using var trainer = NewTrainer(Options with { Steps = 20, ValidateEvery = 10 });

        var summary = trainer.Run(ValidationVolumes, _directory);

        Assert.Equal(20, summary.Steps.Count);
        Assert.Equal(new long[] { 10, 20 }, summary.Validations.Select(v => v.Step));
        Assert.Equal(summary.Validations.Max(v => v.Score.Mean), summary.BestMeanDice);
        Assert.Equal(
            new[] { CheckpointFiles.Best, CheckpointFiles.BestWeights, CheckpointFiles.Last }.Order(StringComparer.Ordinal),
            Directory.GetFiles(_directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        using var reloaded = new TrainableTinyNet();
        StateDictLoader.Load(reloaded, Path.Combine(_directory, CheckpointFiles.BestWeights));
        var rescored = SegmentationEvaluator.Evaluate(reloaded, TrainableTinyNet.InputShape, ValidationVolumes);
        Assert.Equal(summary.BestMeanDice, rescored.Mean, 12);

        using var fromLast = NewTrainer();
        fromLast.LoadCheckpoint(Path.Combine(_directory, CheckpointFiles.Last));
        Assert.Equal(20, fromLast.Step);
        Assert.Equal(summary.BestStep, fromLast.BestStep);
        Assert.Equal(summary.BestMeanDice, fromLast.BestMeanDice);
    }

    [Fact]
    public void A_run_resumed_into_a_folder_without_best_weights_writes_them_at_its_first_validation()
    {
        var first = Path.Combine(_directory, "first");
        var second = Path.Combine(_directory, "second");
        using (var trainer = NewTrainer(Options with { Steps = 4, ValidateEvery = 2, WarmupSteps = 1 }))
        {
            trainer.Run(ValidationVolumes, first);
        }

        // Resumed from a finished run, the one validation scores the weights of step 4 again: no improvement on the restored best.
        using var resumed = NewTrainer(Options with { Steps = 4, ValidateEvery = 2, WarmupSteps = 1 });
        resumed.LoadCheckpoint(Path.Combine(first, CheckpointFiles.Last));
        var summary = resumed.Run(ValidationVolumes, second);

        Assert.Equal(4, summary.BestStep);
        Assert.True(summary.Validations.Single().IsBest);
        Assert.Equal(
            new[] { CheckpointFiles.Best, CheckpointFiles.BestWeights, CheckpointFiles.Last },
            Directory.GetFiles(second).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Before_checkpoint_runs_before_the_checkpoints_of_each_validation_are_written()
    {
        var seen = new List<(long Step, bool? IsBest, long? LastOnDisk)>();
        using var trainer = NewTrainer(Options with { Steps = 4, ValidateEvery = 2, WarmupSteps = 1 });
        trainer.Run(ValidationVolumes, _directory, beforeCheckpoint: v =>
        {
            var last = Path.Combine(_directory, CheckpointFiles.Last);
            long? onDisk = null;
            if (File.Exists(last))
            {
                using var reader = NewTrainer();
                reader.LoadCheckpoint(last);
                onDisk = reader.Step;
            }

            seen.Add((trainer.Step, v?.IsBest, onDisk));
        });

        Assert.Equal(2, seen.Count);
        Assert.Equal((2L, (bool?)true, (long?)null), seen[0]);
        Assert.Equal((4L, (long?)2), (seen[1].Step, seen[1].LastOnDisk));
    }

    [Fact]
    public void Checkpoint_of_another_network_class_is_refused()
    {
        var path = Path.Combine(_directory, "tiny.ckpt");
        using (var trainer = NewTrainer())
        {
            trainer.SaveCheckpoint(path);
        }

        using var other = new Trainer(() => new OtherTinyNet(), OtherTinyNet.InputShape, TrainingVolumes, Options);
        var error = Assert.Throws<InvalidDataException>(() => other.LoadCheckpoint(path));
        Assert.Contains(nameof(TrainableTinyNet), error.Message);
    }

    [Fact]
    public void Truncated_checkpoint_is_refused()
    {
        var path = Path.Combine(_directory, "tiny.ckpt");
        using var trainer = NewTrainer();
        trainer.SaveCheckpoint(path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 10)]);

        var error = Assert.Throws<InvalidDataException>(() => trainer.LoadCheckpoint(path));
        Assert.Contains("truncated", error.Message);
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.3)]
    [InlineData(0.5)]
    [InlineData(0.7)]
    [InlineData(0.9)]
    [InlineData(0.999)]
    public void A_flipped_byte_anywhere_in_a_checkpoint_is_refused(double position)
    {
        var path = Path.Combine(_directory, "tiny.ckpt");
        using var trainer = NewTrainer();
        trainer.SaveCheckpoint(path);
        var bytes = File.ReadAllBytes(path);
        bytes[(int)(position * bytes.Length)] ^= 0x08;
        File.WriteAllBytes(path, bytes);

        using var resumed = NewTrainer();
        var error = Assert.Throws<InvalidDataException>(() => resumed.LoadCheckpoint(path));

        Assert.Contains($"'{path}'", error.Message);
        Assert.Contains("checksum", error.Message);
    }

    [Fact]
    public void A_version_2_checkpoint_without_a_checksum_still_loads()
    {
        // Version 2 had the same content without the SHA-256 that version 3 ends with: the version is the int32 after
        // the magic string (a 1-byte length and 25 characters), and the checksum is the last 32 bytes.
        var path = Path.Combine(_directory, "v2.ckpt");
        using var trainer = NewTrainer();
        trainer.TrainStep();
        trainer.SaveCheckpoint(path);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(3, BitConverter.ToInt32(bytes, 26));
        BitConverter.GetBytes(2).CopyTo(bytes, 26);
        File.WriteAllBytes(path, bytes[..^32]);

        using var resumed = NewTrainer(Options with { Seed = 12345 });
        resumed.LoadCheckpoint(path);

        Assert.Equal(1, resumed.Step);
        var expected = trainer.Model.state_dict();
        Assert.All(resumed.Model.state_dict(), entry => Assert.True(entry.Value.equal(expected[entry.Key]).all().item<bool>(), entry.Key));
    }

    [Fact]
    public void Volumes_larger_than_the_window_are_validated_through_an_inferer_such_as_the_sliding_window()
    {
        using var trainer = NewTrainer();
        var larger = SyntheticDataset.Validation(1, 20);

        var error = Assert.Throws<ArgumentException>(() => trainer.Validate(larger));
        Assert.Contains("inferer", error.Message);

        var inferer = new SlidingWindowInferer(TrainableTinyNet.InputShape.Skip(1).ToArray());
        var score = trainer.Validate(larger, image => inferer.Run(image, trainer.Model.call));
        Assert.Equal(1, score.Volumes);
        Assert.True(trainer.Model.training, "validation must hand the model back in training mode");
    }

    [Fact]
    public void Training_batches_are_window_crops_that_replay_from_a_saved_generator_state()
    {
        var batches = new AugmentedBatches(TrainingVolumes, new long[] { 16, 16, 16 }, Options with { BatchSize = 3, FlipProbability = 0.5, Rotate90Probability = 0.5 });
        var random = new SeededRandom(5);
        var saved = random.State;

        using var scope = NewDisposeScope();
        var (images, labels) = batches.Next(random);
        random.State = saved;
        var (again, againLabels) = batches.Next(random);

        Assert.Equal(new long[] { 3, 1, 16, 16, 16 }, images.shape);
        Assert.Equal(new long[] { 3, 16, 16, 16 }, labels.shape);
        Assert.True(Tensors.Identical(images, again));
        Assert.True(Tensors.Identical(labels, againLabels));
        Assert.Equal(images.shape, batches.Next(random).Images.shape);
    }

    [Fact]
    public void A_nan_loss_from_a_nan_input_names_the_input_not_the_learning_rate()
    {
        using var trainer = new Trainer(() => new TrainableTinyNet(), TrainableTinyNet.InputShape, new NanImages(TrainingVolumes), Options);

        var error = Assert.Throws<InvalidOperationException>(() => trainer.TrainStep());

        Assert.StartsWith("The loss became NaN at step 1: the input batch holds ", error.Message);
        Assert.DoesNotContain("learning rate", error.Message);
    }

    [Fact]
    public void A_nan_loss_from_a_nan_parameter_names_the_parameter()
    {
        using var trainer = NewTrainer();
        var (name, parameter) = trainer.Model.named_parameters().First();
        using (no_grad())
        {
            parameter.fill_(float.NaN);
        }

        var error = Assert.Throws<InvalidOperationException>(() => trainer.TrainStep());

        Assert.Contains($"the parameter {name} holds {parameter.numel()} non-finite values", error.Message);
    }

    /// <summary>The volumes of <paramref name="inner"/> with NaN images, so that any crop holds NaN.</summary>
    private sealed class NanImages(ISegmentationDataset inner) : ISegmentationDataset
    {
        public int Count => inner.Count;

        public (Tensor Image, Tensor Label) Get(int index)
        {
            var (image, label) = inner.Get(index);
            image.fill_(float.NaN);
            return (image, label);
        }
    }

    private static Trainer NewTrainer(TrainingOptions? options = null) =>
        new(() => new TrainableTinyNet(), TrainableTinyNet.InputShape, TrainingVolumes, options ?? Options);
}
