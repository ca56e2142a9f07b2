using System;

namespace Unetr.Model.Training;

/// <summary>
/// How to train. The defaults follow the official UNETR recipe where it applies (AdamW with learning rate 1e-4 and
/// weight decay 1e-5, linear warm-up then cosine, DiceCE loss, flips and 90° rotations with probability 0.2, intensity
/// scale and shift of 0.1).
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>Optimisation steps of the whole run.</summary>
    public int Steps { get; init; } = 1000;

    /// <summary>Volumes per step.</summary>
    public int BatchSize { get; init; } = 2;

    /// <summary>Peak learning rate (AdamW).</summary>
    public double LearningRate { get; init; } = 1e-4;

    /// <summary>Learning rate at the end of the cosine decay.</summary>
    public double MinimumLearningRate { get; init; }

    /// <summary>Steps of linear warm-up; must be fewer than <see cref="Steps"/>.</summary>
    public int WarmupSteps { get; init; } = 50;

    /// <summary>AdamW's decoupled weight decay.</summary>
    public double WeightDecay { get; init; } = 1e-5;

    /// <summary>The gradients' global L2 norm is clipped to this before each step (<c>clip_grad_norm_</c>); 0 turns clipping off.</summary>
    public double MaxGradientNorm { get; init; } = 1.0;

    /// <summary>Validate (and write checkpoints) every this many steps, and after the last step.</summary>
    public int ValidateEvery { get; init; } = 100;

    /// <summary>Seeds the weight initialisation and dropout (<c>torch.manual_seed</c>) and the choice and augmentation of training volumes.</summary>
    public long Seed { get; init; }

    /// <summary>Probability of flipping a training crop along each spatial axis, independently.</summary>
    public double FlipProbability { get; init; } = 0.2;

    /// <summary>Probability of rotating a training crop by a random multiple of 90° in the plane of its last two axes (when they are equal).</summary>
    public double Rotate90Probability { get; init; } = 0.2;

    /// <summary>Intensities are multiplied by 1 + u with u uniform in ±this (MONAI's RandScaleIntensity factor).</summary>
    public double IntensityScale { get; init; } = 0.1;

    /// <summary>Intensities are shifted by u uniform in ±this (MONAI's RandShiftIntensity offset).</summary>
    public double IntensityShift { get; init; } = 0.1;

    /// <summary>
    /// How training crops are placed. <c>null</c> (the default): uniformly at random within the volume. A probability
    /// p: centred on a random foreground voxel (label &gt; 0) with probability p, else on a random background voxel,
    /// as MONAI's <c>RandCropByPosNegLabel</c> with p = pos / (pos + neg); this helps when the foreground is small.
    /// </summary>
    public double? ForegroundCropProbability { get; init; }

    /// <summary>
    /// Every this many steps, and after every validation, <see cref="Trainer.Run"/> gives freed C-heap pages back to the
    /// operating system (glibc's <c>malloc_trim</c>; no effect elsewhere); 0 never does. libtorch frees tensors into
    /// glibc's arenas, which keep the pages, so without this resident memory creeps up with fragmentation. Releasing
    /// costs page faults when the memory is used again, so it is not done after every step; the <c>memory</c> benchmark
    /// measures both effects. <c>null</c> (the default) leaves it to the runtime:
    /// <see cref="Runtime.UnetrRuntime.ReleaseFreedNativeMemoryEvery"/>, which is 10 after
    /// <see cref="Runtime.UnetrRuntime.Configure"/> with the recommended options and 0 in a program that never called it.
    /// </summary>
    public int? ReleaseFreedNativeMemoryEvery { get; init; }

    /// <summary>
    /// Stores the network's convolution weights channels-last (<see cref="Runtime.ChannelsLast.ConvertForTraining"/>; those
    /// of up to <see cref="Runtime.CpuRoutingPolicy.ChannelsLastTrainingMaximumChannels"/> channels, by default all) before
    /// training where that makes a step faster (<see cref="Runtime.ChannelsLast.PaysForTraining"/>:
    /// everywhere except instance-norm networks on batches above 64³ voxels), mostly in the backward pass of libtorch's
    /// CPU convolutions (docs/speed-notes.md has the measurements). Results agree with the
    /// row-major layout to rounding, not bit for bit; saved weights are the same either way.
    /// </summary>
    public bool ChannelsLast { get; init; } = true;

    /// <summary>The loss to minimise.</summary>
    public DiceCrossEntropyLoss Loss { get; init; } = new();

    /// <summary>The learning rate schedule these options describe.</summary>
    public WarmupCosineSchedule Schedule => new(LearningRate, WarmupSteps, Steps, MinimumLearningRate);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Steps, 1, nameof(Steps));
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(ValidateEvery, 1, nameof(ValidateEvery));
        if (ReleaseFreedNativeMemoryEvery is { } releaseEvery)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(releaseEvery, nameof(ReleaseFreedNativeMemoryEvery));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(WeightDecay, nameof(WeightDecay));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxGradientNorm, nameof(MaxGradientNorm));
        ArgumentOutOfRangeException.ThrowIfNegative(IntensityScale, nameof(IntensityScale));
        ArgumentOutOfRangeException.ThrowIfNegative(IntensityShift, nameof(IntensityShift));
        RequireProbability(FlipProbability, nameof(FlipProbability));
        RequireProbability(Rotate90Probability, nameof(Rotate90Probability));
        if (ForegroundCropProbability is { } foreground)
        {
            RequireProbability(foreground, nameof(ForegroundCropProbability));
        }

        _ = Schedule;
    }

    private static void RequireProbability(double value, string name)
    {
        if (!(value >= 0 && value <= 1))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a probability in [0, 1].");
        }
    }
}
