using System;
using System.Collections.Generic;

namespace Unetr.Model.Training;

/// <summary>What one optimisation step did.</summary>
/// <param name="Step">Steps completed after this one (1 for the first step).</param>
/// <param name="Loss">The batch's loss before the update.</param>
/// <param name="LearningRate">The rate the step used.</param>
/// <param name="GradientNorm">Global L2 norm of the gradients before clipping; <c>null</c> when clipping is off.</param>
public sealed record StepResult(long Step, double Loss, double LearningRate, double? GradientNorm);

/// <summary>A validation pass.</summary>
/// <param name="Step">Steps completed when it ran.</param>
/// <param name="Score">Dice on the held-out volumes.</param>
/// <param name="IsBest">Whether its mean Dice beat every earlier validation of the run (the first always does).</param>
public sealed record ValidationResult(long Step, DiceScore Score, bool IsBest);

/// <summary>The outcome of <see cref="Trainer.Run"/>.</summary>
/// <param name="Steps">Every step taken by this call, in order.</param>
/// <param name="Validations">Every validation of this call, in order; the last one scores the final weights.</param>
/// <param name="BestStep">Step of the best validation so far (earlier runs of a resumed training included).</param>
/// <param name="BestMeanDice">Its mean foreground Dice.</param>
/// <param name="Elapsed">Wall time of this call.</param>
public sealed record TrainingSummary(
    IReadOnlyList<StepResult> Steps,
    IReadOnlyList<ValidationResult> Validations,
    long BestStep,
    double BestMeanDice,
    TimeSpan Elapsed);
