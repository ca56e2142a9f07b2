using System;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Unetr.Model.Training;

/// <summary>
/// The official UNETR loss, with the semantics of MONAI's
/// <c>DiceCELoss(to_onehot_y=True, softmax=True, squared_pred=True)</c>: a soft Dice loss on the softmax of the
/// logits against the one-hot labels, background included, plus the cross-entropy of the logits.
/// </summary>
/// <remarks>
/// For each sample <c>b</c> and class <c>c</c>, with softmax probabilities <c>p</c> and one-hot labels <c>g</c> summed
/// over the voxels: <c>dice(b, c) = 1 − (2 Σ p·g + s) / (Σ p² + Σ g² + s)</c> with <c>s = </c><see cref="Smoothing"/>
/// in numerator and denominator. The Dice term is the mean over samples and classes; the cross-entropy is the mean
/// over voxels. The loss is <c>DiceWeight · dice + CrossEntropyWeight · ce</c>: MONAI's <c>lambda_dice</c> and
/// <c>lambda_ce</c>, both 1 by default, so the default is the sum of the two terms as MONAI computes it;
/// weights of 0.5 give their mean.
/// </remarks>
/// <param name="Smoothing">Added to numerator and denominator of every Dice ratio (MONAI's smooth_nr and smooth_dr).</param>
/// <param name="DiceWeight">Weight of the Dice term (MONAI's lambda_dice).</param>
/// <param name="CrossEntropyWeight">Weight of the cross-entropy term (MONAI's lambda_ce).</param>
public sealed record DiceCrossEntropyLoss(double Smoothing = 1e-5, double DiceWeight = 1, double CrossEntropyWeight = 1)
{
    /// <summary>The weighted sum of <see cref="DiceTerm"/> and <see cref="CrossEntropyTerm"/>, a scalar.</summary>
    /// <param name="logits">[B, C, spatial…] unnormalised class scores.</param>
    /// <param name="labels">[B, spatial…] class indices in [0, C) (int64).</param>
    public Tensor Compute(Tensor logits, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var total = DiceTerm(logits, labels) * DiceWeight + CrossEntropyTerm(logits, labels) * CrossEntropyWeight;
        return total.MoveToOuterDisposeScope();
    }

    /// <summary>The soft Dice loss with squared denominator, mean over samples and classes (background included).</summary>
    /// <param name="logits">[B, C, spatial…] unnormalised class scores.</param>
    /// <param name="labels">[B, spatial…] class indices in [0, C) (int64).</param>
    public Tensor DiceTerm(Tensor logits, Tensor labels)
    {
        CheckShapes(logits, labels);
        using var scope = NewDisposeScope();
        var probabilities = logits.softmax(1);
        var target = nn.functional.one_hot(labels, logits.shape[1]).movedim(new long[] { -1 }, new long[] { 1 }).to_type(probabilities.dtype);
        var voxels = Enumerable.Range(2, (int)logits.dim() - 2).Select(d => (long)d).ToArray();
        var overlap = (probabilities * target).sum(voxels);
        var denominator = probabilities.square().sum(voxels) + target.square().sum(voxels);
        var dice = 1 - (2 * overlap + Smoothing) / (denominator + Smoothing);
        return dice.mean().MoveToOuterDisposeScope();
    }

    /// <summary>The cross-entropy of the logits against the labels, mean over every voxel of the batch.</summary>
    /// <param name="logits">[B, C, spatial…] unnormalised class scores.</param>
    /// <param name="labels">[B, spatial…] class indices in [0, C) (int64).</param>
    public Tensor CrossEntropyTerm(Tensor logits, Tensor labels)
    {
        CheckShapes(logits, labels);
        return nn.functional.cross_entropy(logits, labels);
    }

    private static void CheckShapes(Tensor logits, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(labels);
        var expected = logits.shape.Take(1).Concat(logits.shape.Skip(2)).ToArray();
        if (logits.dim() < 3 || !labels.shape.SequenceEqual(expected))
        {
            throw new ArgumentException(
                $"Expected logits [B, C, spatial…] and labels [B, spatial…]; got logits [{string.Join(", ", logits.shape)}] and labels [{string.Join(", ", labels.shape)}].",
                nameof(labels));
        }
    }
}
