using System;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Unetr.Model.Training;

/// <summary>
/// PyTorch's AdamW update (<c>torch.optim.AdamW</c>, decoupled weight decay; the same operations in the same order, so
/// the same rounding) applied in place to tensors of any shape: one parameter, or a flat buffer of many.
/// </summary>
public static class AdamWUpdate
{
    /// <summary>
    /// One step with the hyper-parameters of <paramref name="options"/>:
    /// θ ← θ(1 − γλ); m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; (AMSGrad: v̂ ← max(v̂, v), used for v below);
    /// θ ← θ − γ/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε), with g negated when maximising.
    /// </summary>
    /// <param name="options">Learning rate γ, betas, eps, weight decay λ, amsgrad and maximize; each must have a value.</param>
    /// <param name="step">The step being taken, t ≥ 1 (the bias corrections use it).</param>
    /// <param name="values">θ, updated in place.</param>
    /// <param name="gradients">g.</param>
    /// <param name="expAvg">m, updated in place.</param>
    /// <param name="expAvgSq">v, updated in place.</param>
    /// <param name="maxExpAvgSq">v̂, updated in place; required with AMSGrad, ignored without.</param>
    /// <exception cref="ArgumentException">An option has no value, the step is below 1, or AMSGrad has no <paramref name="maxExpAvgSq"/>.</exception>
    public static void Apply(AdamW.Options options, long step, Tensor values, Tensor gradients, Tensor expAvg, Tensor expAvgSq, Tensor? maxExpAvgSq = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(gradients);
        ArgumentNullException.ThrowIfNull(expAvg);
        ArgumentNullException.ThrowIfNull(expAvgSq);
        ArgumentOutOfRangeException.ThrowIfLessThan(step, 1);
        var learningRate = options.LearningRate ?? throw Missing("LearningRate");
        var beta1 = options.beta1 ?? throw Missing(nameof(options.beta1));
        var beta2 = options.beta2 ?? throw Missing(nameof(options.beta2));
        var eps = options.eps ?? throw Missing(nameof(options.eps));
        var weightDecay = options.weight_decay ?? throw Missing(nameof(options.weight_decay));
        var amsgrad = options.amsgrad ?? false;
        if (amsgrad && maxExpAvgSq is null)
        {
            throw new ArgumentException("AMSGrad needs the running maximum of the second moment; got none.", nameof(maxExpAvgSq));
        }

        using var scope = NewDisposeScope();
        using var guard = no_grad();
        var gradient = options.maximize == true ? gradients.neg() : gradients;
        var biasCorrection1 = 1 - Math.Pow(beta1, step);
        var biasCorrection2 = 1 - Math.Pow(beta2, step);
        if (weightDecay != 0)
        {
            values.mul_(1 - (learningRate * weightDecay));
        }

        expAvg.mul_(beta1).add_(gradient, alpha: 1 - beta1);
        expAvgSq.mul_(beta2).addcmul_(gradient, gradient, value: 1 - beta2);
        var secondMoment = expAvgSq;
        if (amsgrad)
        {
            maxExpAvgSq!.copy_(maxExpAvgSq.maximum(expAvgSq));
            secondMoment = maxExpAvgSq!;
        }

        var denominator = secondMoment.sqrt().div_(Math.Sqrt(biasCorrection2)).add_(eps);
        values.addcdiv_(expAvg, denominator, value: -learningRate / biasCorrection1);
    }

    private static ArgumentException Missing(string name) => new($"Expected AdamW options with {name} set; it has none.", "options");
}
