using System;

namespace Unetr.Model.Training;

/// <summary>
/// Learning rate per optimisation step: a linear warm-up to the base rate, then a half cosine down to the minimum
/// rate at <see cref="TotalSteps"/>, as in the official UNETR recipe (there per epoch, here per step).
/// </summary>
/// <remarks>
/// Step <c>s</c> counts from 0. During warm-up (<c>s &lt; W</c>) the rate is <c>base · (s + 1) / W</c>, so the first
/// step already moves the weights and step <c>W − 1</c> reaches the base rate. Afterwards it is
/// <c>min + (base − min) · (1 + cos(π · (s − W) / (T − W))) / 2</c>; steps past <c>T</c> keep the minimum.
/// </remarks>
public sealed record WarmupCosineSchedule
{
    /// <summary>Describes the schedule; throws when a value is out of range.</summary>
    /// <param name="baseLearningRate">Peak rate, reached at the end of the warm-up; positive.</param>
    /// <param name="warmupSteps">Steps of linear warm-up; 0 starts at the peak; less than <paramref name="totalSteps"/>.</param>
    /// <param name="totalSteps">Steps of the whole run; positive.</param>
    /// <param name="minimumLearningRate">Rate at the end of the cosine; in [0, base].</param>
    public WarmupCosineSchedule(double baseLearningRate, int warmupSteps, int totalSteps, double minimumLearningRate = 0)
    {
        if (!(baseLearningRate > 0) || double.IsInfinity(baseLearningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(baseLearningRate), baseLearningRate, "The learning rate must be a positive finite number.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(totalSteps, 1);
        if (warmupSteps < 0 || warmupSteps >= totalSteps)
        {
            throw new ArgumentOutOfRangeException(nameof(warmupSteps), warmupSteps, $"Warm-up steps must be in [0, {totalSteps - 1}] (fewer than the {totalSteps} total steps).");
        }

        if (!(minimumLearningRate >= 0 && minimumLearningRate <= baseLearningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(minimumLearningRate), minimumLearningRate, $"The minimum learning rate must be in [0, {baseLearningRate}].");
        }

        BaseLearningRate = baseLearningRate;
        WarmupSteps = warmupSteps;
        TotalSteps = totalSteps;
        MinimumLearningRate = minimumLearningRate;
    }

    /// <summary>Peak rate.</summary>
    public double BaseLearningRate { get; }

    /// <summary>Steps of linear warm-up.</summary>
    public int WarmupSteps { get; }

    /// <summary>Steps of the whole run.</summary>
    public int TotalSteps { get; }

    /// <summary>Rate at the end.</summary>
    public double MinimumLearningRate { get; }

    /// <summary>The rate for step <paramref name="step"/> (0-based: the step about to be taken).</summary>
    public double LearningRate(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (step < WarmupSteps)
        {
            return BaseLearningRate * (step + 1) / WarmupSteps;
        }

        var progress = Math.Min(1.0, (double)(step - WarmupSteps) / (TotalSteps - WarmupSteps));
        return MinimumLearningRate + (BaseLearningRate - MinimumLearningRate) * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }
}
