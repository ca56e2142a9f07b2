using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using TorchSharp;
using TorchSharp.Modules;
using Unetr.Model.Checkpoints;
using Unetr.Model.Data;
using Unetr.Model.Runtime;
using Unetr.Model.Training.Distributed;
using static TorchSharp.torch;

namespace Unetr.Model.Training;

/// <summary>
/// Trains a segmentation network with AdamW (<see cref="FlatAdamW"/>), a warm-up + cosine learning rate, DiceCE loss, gradient clipping and
/// seeded augmentation; validates on held-out volumes; keeps the best checkpoint; and resumes a saved run so that it
/// continues exactly where the uninterrupted run would have been.
/// </summary>
/// <remarks>
/// Determinism: the constructor seeds libtorch (<c>torch.manual_seed</c>) before building the model, so weight
/// initialisation and dropout follow <see cref="TrainingOptions.Seed"/>; volume choice and augmentation use a
/// <see cref="SeededRandom"/> of the same seed. libtorch's generator is process-wide: code that draws from it on
/// another thread during training changes the run.
/// Memory: every step and every validated volume runs in its own dispose scope, so the native memory held between
/// steps is the model, its gradients and the optimizer state, whatever the number of steps.
/// Process state: the trainer sets no environment variable, heap option or thread count; it releases freed C-heap
/// pages only as <see cref="TrainingOptions.ReleaseFreedNativeMemoryEvery"/> says (by default, only after
/// <see cref="UnetrRuntime.Configure"/>).
/// Data parallelism: with an <see cref="IProcessGroup"/> of N ranks, every rank runs the same trainer; rank 0's initial
/// weights are broadcast, every rank draws the same global batch of <see cref="TrainingOptions.BatchSize"/> volumes
/// (so the data generator's state does not depend on N) and keeps its shard, the volumes rank × B/N to (rank + 1) × B/N − 1;
/// the gradients are averaged by allreduce before clipping and the AdamW step, so that every rank holds the same weights
/// and N ranks take the steps one process would take on the whole batch. The batch size must be a multiple of N (equal
/// shards make the mean of the ranks' mean losses the whole batch's mean loss). Normalisation layers with running
/// statistics (BatchNorm) normalise each shard by its own batch statistics, and their buffers are broadcast from rank 0
/// before every step, as PyTorch's DistributedDataParallel does by default (<c>broadcast_buffers=True</c>). Validation is
/// sharded (volume i on rank i mod N) and its Dice sums are reduced; only rank 0 writes files.
/// </remarks>
public sealed class Trainer : IDisposable
{
    private readonly long[] _inputShape;
    private readonly AugmentedBatches _batches;
    private readonly WarmupCosineSchedule _schedule;
    private readonly SeededRandom _random;
    private readonly FlatAdamW _optimizer;
    private readonly IProcessGroup? _group;
    private readonly Tensor[] _buffers;

    /// <summary>Seeds libtorch, builds the model and its optimizer.</summary>
    /// <param name="createModel">Builds a freshly initialised network; the trainer owns and disposes it.</param>
    /// <param name="inputShape">Per-sample input shape of the network (channels, then spatial sizes), e.g. a generated class's <c>InputShape</c>.</param>
    /// <param name="training">Volumes to draw training crops from; each at least the network's spatial size.</param>
    /// <param name="options">How to train.</param>
    /// <param name="processGroup">The ranks of a data-parallel run (see the remarks); <c>null</c> trains in this process alone. Every rank must build its trainer with the same arguments.</param>
    /// <exception cref="ArgumentException">The batch size is not a multiple of the number of ranks, or another argument is out of range.</exception>
    public Trainer(Func<nn.Module<Tensor, Tensor>> createModel, IReadOnlyList<long> inputShape, ISegmentationDataset training, TrainingOptions options, IProcessGroup? processGroup = null)
    {
        ArgumentNullException.ThrowIfNull(createModel);
        ArgumentNullException.ThrowIfNull(inputShape);
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(options);
        if (inputShape.Count < 3)
        {
            throw new ArgumentException($"Expected an input shape of channels then 2 or 3 spatial sizes; got [{string.Join(", ", inputShape)}].", nameof(inputShape));
        }

        options.Validate();
        if (processGroup is { Size: var ranks } && options.BatchSize % ranks != 0)
        {
            throw new ArgumentException(
                $"The batch size {options.BatchSize} does not split evenly across {ranks} ranks; use a multiple of {ranks} (each rank takes batch size / ranks volumes of every batch).",
                nameof(options));
        }

        Options = options;
        _group = processGroup;
        _inputShape = inputShape.ToArray();
        _batches = new AugmentedBatches(training, _inputShape[1..], options);
        _schedule = options.Schedule;
        _random = new SeededRandom(options.Seed);

        manual_seed(options.Seed);
        Model = createModel();
        Model.train();
        if (options.ChannelsLast && ChannelsLast.PaysForTraining(Model, _inputShape.Prepend(ShardSize).ToArray()))
        {
            ChannelsLast.ConvertForTraining(Model);
        }

        // PyTorch's AdamW (betas 0.9 and 0.999, eps 1e-8) over one flat buffer: a step is a handful of tensor operations.
        _optimizer = new FlatAdamW(Model.parameters(), _schedule.LearningRate(0), beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: options.WeightDecay);
        _buffers = Model.buffers().Where(b => b.is_floating_point() || b.dtype == ScalarType.Int64).ToArray();
        if (_group is not null)
        {
            _optimizer.BroadcastParameters(_group);
            BroadcastBuffers();
        }
    }

    /// <summary>The network being trained.</summary>
    public nn.Module<Tensor, Tensor> Model { get; }

    /// <summary>The options the trainer was built with.</summary>
    public TrainingOptions Options { get; }

    /// <summary>Optimisation steps completed (restored by <see cref="LoadCheckpoint"/>).</summary>
    public long Step { get; private set; }

    /// <summary>Step of the best validation so far; 0 before any.</summary>
    public long BestStep { get; private set; }

    /// <summary>Best mean foreground Dice so far; <c>null</c> before any validation.</summary>
    public double? BestMeanDice { get; private set; }

    /// <summary>Volumes of every batch this process computes: <see cref="TrainingOptions.BatchSize"/> divided by the number of ranks.</summary>
    public int ShardSize => Options.BatchSize / (_group?.Size ?? 1);

    /// <summary>Wall time spent in <see cref="TrainStep"/> so far (this process's clock).</summary>
    public TimeSpan StepTime { get; private set; }

    /// <summary>
    /// The part of <see cref="StepTime"/> spent in collective operations (the gradients' allreduce, the loss's, buffer
    /// broadcasts, with any host copies), including any wait for slower ranks; zero without a process group.
    /// </summary>
    public TimeSpan CommunicationTime { get; private set; }

    /// <summary>Takes one optimisation step on a freshly drawn, augmented batch.</summary>
    /// <exception cref="InvalidOperationException">The loss or the gradient norm is not finite; the message names the first non-finite input, parameter or gradient.</exception>
    public StepResult TrainStep()
    {
        var clock = Stopwatch.StartNew();
        try
        {
            return TakeStep();
        }
        finally
        {
            StepTime += clock.Elapsed;
        }
    }

    private StepResult TakeStep()
    {
        using var scope = NewDisposeScope();
        var learningRate = _schedule.LearningRate(Step);
        foreach (var group in _optimizer.ParamGroups)
        {
            group.LearningRate = learningRate;
        }

        var (images, labels) = _batches.Next(_random);
        if (_group is { Size: > 1 })
        {
            images = images.narrow(0, _group.Rank * ShardSize, ShardSize);
            labels = labels.narrow(0, _group.Rank * ShardSize, ShardSize);
        }

        if (_group is not null && _buffers.Length > 0)
        {
            Communicate(BroadcastBuffers);
        }

        _optimizer.zero_grad();
        var loss = Options.Loss.Compute(Model.call(images), labels);
        var lossValue = loss.item<float>();
        if (_group is not null)
        {
            // The mean of equal shards' mean losses is the whole batch's mean loss; every rank then sees the same value.
            var total = tensor(new double[] { lossValue });
            Communicate(() => _group.AllReduce(total));
            lossValue = (float)(total.item<double>() / _group.Size);
        }

        if (!float.IsFinite(lossValue))
        {
            throw new InvalidOperationException($"The loss became {lossValue} at step {Step + 1}: {FirstNonFinite(images, gradients: false)}");
        }

        loss.backward();
        if (_group is not null)
        {
            Communicate(() => _optimizer.AverageGradients(_group));
        }

        double? gradientNorm = Options.MaxGradientNorm > 0 ? _optimizer.ClipGradNorm(Options.MaxGradientNorm) : null;
        if (gradientNorm is { } norm && !double.IsFinite(norm))
        {
            throw new InvalidOperationException($"The gradient norm became {norm} at step {Step + 1}: {FirstNonFinite(images, gradients: true)}");
        }
        _optimizer.step();
        Step++;
        return new StepResult(Step, lossValue, learningRate, gradientNorm);
    }

    /// <summary>Names the first non-finite tensor of a failed step: the input batch, then each parameter (or its gradient) in order.</summary>
    private string FirstNonFinite(Tensor images, bool gradients)
    {
        static long NonFinite(Tensor values) => values.isfinite().logical_not().sum().item<long>();
        if (NonFinite(images) is > 0 and var inInput)
        {
            return $"the input batch holds {inInput} non-finite values; check the training volumes (unetr: --non-finite-voxels).";
        }

        foreach (var (name, parameter) in Model.named_parameters())
        {
            var values = gradients ? parameter.grad : parameter;
            if (values is not null && NonFinite(values) is > 0 and var count)
            {
                return $"the {(gradients ? "gradient of" : "parameter")} {name} holds {count} non-finite values; try a lower learning rate.";
            }
        }

        return "the input and parameters are finite, so the network or loss overflowed; try a lower learning rate.";
    }

    /// <summary>Scores the model on held-out volumes (see <see cref="SegmentationEvaluator.Evaluate"/>); it is back in training mode afterwards.</summary>
    /// <param name="data">Held-out volumes.</param>
    /// <param name="infer">
    /// Maps an image batch [1, C, spatial…] to logits [1, classes, spatial…]. <c>null</c> calls the model directly,
    /// which needs every volume to have exactly the network's input size; for larger volumes pass
    /// <c>image => new SlidingWindowInferer(window).Run(image, model.call)</c> (see <see cref="Inference.SlidingWindowInferer"/>).
    /// </param>
    /// <remarks>With a process group, every rank must call it: each scores its share of the volumes and the scores are reduced.</remarks>
    public DiceScore Validate(ISegmentationDataset data, Func<Tensor, Tensor>? infer = null) =>
        SegmentationEvaluator.Evaluate(Model, _inputShape, data, infer, _group);

    /// <summary>
    /// Trains until <see cref="TrainingOptions.Steps"/> steps are done (continuing from <see cref="Step"/>), validating
    /// every <see cref="TrainingOptions.ValidateEvery"/> steps and after the last one. With an output directory, each
    /// validation writes <see cref="CheckpointFiles.Last"/>, and an improved one also <see cref="CheckpointFiles.Best"/>
    /// and <see cref="CheckpointFiles.BestWeights"/>, each atomically.
    /// </summary>
    /// <remarks>
    /// An output directory that holds no <see cref="CheckpointFiles.BestWeights"/> (a resumed run writing into a new
    /// folder) starts a fresh best: the restored best validation stays with the files of the run it came from, and the
    /// first validation of this call writes the best files here, so that they always exist after a validation and describe
    /// a validation of this folder's run.
    /// </remarks>
    /// <param name="validation">Held-out volumes.</param>
    /// <param name="outputDirectory">Where checkpoints go (created if needed); <c>null</c> writes nothing. With a process group only rank 0 writes (and calls <paramref name="beforeCheckpoint"/>).</param>
    /// <param name="onStep">Called after every step.</param>
    /// <param name="onValidation">Called after every validation (and after its checkpoints are written).</param>
    /// <param name="infer">Passed to <see cref="Validate"/>.</param>
    /// <param name="cancellation">
    /// Checked before every step; when cancelled, the current state is written to <see cref="CheckpointFiles.Last"/>
    /// (with an output directory) and <see cref="OperationCanceledException"/> is thrown.
    /// </param>
    /// <param name="beforeCheckpoint">
    /// Called before the checkpoints of a validation are written (with that validation; <see cref="ValidationResult.IsBest"/>
    /// says whether best files follow) and before a cancellation writes <see cref="CheckpointFiles.Last"/> (with <c>null</c>).
    /// Write here what must cover every step a checkpoint holds, such as the training curves: a process killed at any moment
    /// then leaves them at least as recent as the checkpoints.
    /// </param>
    public TrainingSummary Run(
        ISegmentationDataset validation,
        string? outputDirectory = null,
        Action<StepResult>? onStep = null,
        Action<ValidationResult>? onValidation = null,
        Func<Tensor, Tensor>? infer = null,
        CancellationToken cancellation = default,
        Action<ValidationResult?>? beforeCheckpoint = null)
    {
        ArgumentNullException.ThrowIfNull(validation);
        if (outputDirectory is not null)
        {
            var freshBest = false;
            if (_group is not { Rank: > 0 })
            {
                Directory.CreateDirectory(outputDirectory);
                freshBest = !File.Exists(Path.Combine(outputDirectory, CheckpointFiles.BestWeights));
            }

            // Rank 0's folder decides, so that every rank keeps the same best validation.
            if (_group is not null)
            {
                freshBest = Agree(freshBest, fromRankZero: true);
            }

            if (freshBest)
            {
                BestStep = 0;
                BestMeanDice = null;
            }

            outputDirectory = _group is { Rank: > 0 } ? null : outputDirectory;
        }

        var clock = Stopwatch.StartNew();
        var steps = new List<StepResult>();
        var validations = new List<ValidationResult>();
        var releaseEvery = Options.ReleaseFreedNativeMemoryEvery ?? UnetrRuntime.ReleaseFreedNativeMemoryEvery;
        while (Step < Options.Steps)
        {
            // Every rank stops at the same step when any of them is cancelled, so none waits in a collective alone.
            var cancelled = cancellation.IsCancellationRequested;
            if (_group is not null)
            {
                cancelled = Agree(cancelled, fromRankZero: false);
            }

            if (cancelled)
            {
                if (outputDirectory is not null)
                {
                    beforeCheckpoint?.Invoke(null);
                    SaveCheckpoint(Path.Combine(outputDirectory, CheckpointFiles.Last));
                }

                throw new OperationCanceledException(cancellation.IsCancellationRequested ? cancellation : new CancellationToken(true));
            }

            var step = TrainStep();
            if (releaseEvery > 0 && Step % releaseEvery == 0)
            {
                NativeHeap.Trim();
            }

            steps.Add(step);
            onStep?.Invoke(step);
            if (Step % Options.ValidateEvery == 0 || Step == Options.Steps)
            {
                validations.Add(ValidateAndKeep(validation, outputDirectory, infer, onValidation, beforeCheckpoint));
                if (releaseEvery > 0)
                {
                    NativeHeap.Trim();
                }
            }
        }

        if (validations.Count == 0)
        {
            // Resumed from a finished run: still score the weights, so the summary always ends with a validation.
            validations.Add(ValidateAndKeep(validation, outputDirectory, infer, onValidation, beforeCheckpoint));
        }

        return new TrainingSummary(steps, validations, BestStep, BestMeanDice!.Value, clock.Elapsed);
    }

    /// <summary>Writes the complete training state to <paramref name="path"/> atomically (see <see cref="AtomicFile"/>).</summary>
    public void SaveCheckpoint(string path) =>
        AtomicFile.Write(path, stream => TrainingCheckpoint.Write(stream, Model, _optimizer, new TrainingCheckpoint.Progress(Step, _random.State, BestStep, BestMeanDice)));

    /// <summary>
    /// Restores a state written by <see cref="SaveCheckpoint"/>: weights, optimizer moments, step, the data generator,
    /// libtorch's generator and the best validation. With the same options, the following steps are those the saved run
    /// would have taken.
    /// </summary>
    /// <remarks>
    /// The file's SHA-256 checksum is verified before anything is restored, so a byte changed anywhere is refused.
    /// Checkpoints of version 2, written before the checksum was added, load without that check.
    /// </remarks>
    /// <exception cref="InvalidDataException">
    /// The file is not a checkpoint, fails its checksum (corrupt or truncated), holds another model class, or is truncated.
    /// </exception>
    public void LoadCheckpoint(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = File.OpenRead(path);
        var progress = TrainingCheckpoint.Read(stream, Model, _optimizer, path);
        Step = progress.Step;
        _random.State = progress.RandomState;
        BestStep = progress.BestStep;
        BestMeanDice = progress.BestMeanDice;
    }

    /// <summary>
    /// Writes the model's weights alone as a state dict, atomically, in the format the extension names (<c>.pt</c> or
    /// <c>.safetensors</c>, see <see cref="StateDictWriter"/>); <see cref="StateDictLoader.Load(nn.Module, string)"/> and PyTorch read it.
    /// </summary>
    public void SaveWeights(string path) => StateDictWriter.Save(Model, path);

    /// <summary>Rank 0's flag (<paramref name="fromRankZero"/>) or whether any rank's flag is set, on every rank.</summary>
    private bool Agree(bool flag, bool fromRankZero)
    {
        using var scope = NewDisposeScope();
        var value = tensor(new[] { flag ? 1L : 0L });
        if (fromRankZero)
        {
            _group!.Broadcast(value);
        }
        else
        {
            _group!.AllReduce(value, ReduceOperation.Max);
        }

        return value.item<long>() != 0;
    }

    private void BroadcastBuffers()
    {
        using (no_grad())
        {
            foreach (var buffer in _buffers)
            {
                _group!.Broadcast(buffer);
            }
        }
    }

    private void Communicate(Action collective)
    {
        var clock = Stopwatch.StartNew();
        collective();
        CommunicationTime += clock.Elapsed;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _optimizer.Dispose();
        Model.Dispose();
    }

    private ValidationResult ValidateAndKeep(
        ISegmentationDataset validation, string? outputDirectory, Func<Tensor, Tensor>? infer, Action<ValidationResult>? onValidation, Action<ValidationResult?>? beforeCheckpoint)
    {
        var score = Validate(validation, infer);
        var isBest = BestMeanDice is not { } best || score.Mean > best;
        var result = new ValidationResult(Step, score, isBest);
        if (outputDirectory is not null)
        {
            beforeCheckpoint?.Invoke(result);
        }

        if (isBest)
        {
            BestMeanDice = score.Mean;
            BestStep = Step;
            if (outputDirectory is not null)
            {
                SaveCheckpoint(Path.Combine(outputDirectory, CheckpointFiles.Best));
                SaveWeights(Path.Combine(outputDirectory, CheckpointFiles.BestWeights));
            }
        }

        if (outputDirectory is not null)
        {
            SaveCheckpoint(Path.Combine(outputDirectory, CheckpointFiles.Last));
        }

        onValidation?.Invoke(result);
        return result;
    }
}
