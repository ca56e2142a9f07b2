using System;
using Unetr.Model.Training;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Training;

/// <summary>DiceCE against values worked out by hand from the MONAI definition.</summary>
public sealed class DiceCrossEntropyLossTests
{
    private const double Smooth = 1e-5;

    [Fact]
    public void Matches_a_hand_computed_two_voxel_example()
    {
        // Voxel 0: logits (0, 0) → p = (1/2, 1/2), label 1. Voxel 1: logits (ln 3, 0) → p = (3/4, 1/4), label 0.
        using var logits = tensor(new float[] { 0f, (float)Math.Log(3), 0f, 0f }).reshape(1, 2, 2);
        using var labels = tensor(new long[] { 1, 0 }).reshape(1, 2);
        var loss = new DiceCrossEntropyLoss();

        // Class 0: p = (1/2, 3/4), g = (0, 1): Σpg = 3/4, Σp² = 1/4 + 9/16 = 13/16, Σg² = 1.
        var dice0 = 1 - (2 * 0.75 + Smooth) / (13.0 / 16 + 1 + Smooth);
        // Class 1: p = (1/2, 1/4), g = (1, 0): Σpg = 1/2, Σp² = 1/4 + 1/16 = 5/16, Σg² = 1.
        var dice1 = 1 - (2 * 0.5 + Smooth) / (5.0 / 16 + 1 + Smooth);
        var diceTerm = (dice0 + dice1) / 2;
        var crossEntropy = (-Math.Log(0.5) - Math.Log(0.75)) / 2;

        Assert.Equal(diceTerm, Scalar(loss.DiceTerm(logits, labels)), tolerance: 1e-6);
        Assert.Equal(crossEntropy, Scalar(loss.CrossEntropyTerm(logits, labels)), tolerance: 1e-6);
        Assert.Equal(diceTerm + crossEntropy, Scalar(loss.Compute(logits, labels)), tolerance: 1e-6);
        Assert.Equal(0.5 * diceTerm + 0.5 * crossEntropy, Scalar((loss with { DiceWeight = 0.5, CrossEntropyWeight = 0.5 }).Compute(logits, labels)), tolerance: 1e-6);
    }

    [Fact]
    public void Averages_dice_per_sample_and_class_with_smoothing_making_an_absent_class_cost_nothing()
    {
        // Logits ±20 make the softmax one-hot to within e^-40. Both samples predict class 0 everywhere.
        // Sample A has labels (0, 0): class 0 scores (2·2 + s)/(2 + 2 + s) = 1, class 1 is absent from both: s/s = 1.
        // Sample B has labels (1, 1): class 0: s/(2 + s); class 1: s/(2 + s).
        // Pooling the batch instead would give class 0 a Dice of (4 + s)/(6 + s), so this also pins per-sample averaging.
        using var logits = tensor(new float[] { 20, 20, -20, -20, 20, 20, -20, -20 }).reshape(2, 2, 2);
        using var labels = tensor(new long[] { 0, 0, 1, 1 }).reshape(2, 2);

        var expected = (0 + 0 + 2 * (1 - Smooth / (2 + Smooth))) / 4;
        Assert.Equal(expected, Scalar(new DiceCrossEntropyLoss().DiceTerm(logits, labels)), tolerance: 1e-6);
    }

    [Fact]
    public void Rejects_labels_whose_shape_does_not_match_the_logits()
    {
        using var logits = zeros(2, 3, 4, 4);
        using var labels = zeros(new long[] { 2, 4, 5 }, int64);

        var error = Assert.Throws<ArgumentException>(() => new DiceCrossEntropyLoss().Compute(logits, labels));
        Assert.Contains("[2, 4, 5]", error.Message);
    }

    private static double Scalar(Tensor value)
    {
        using (value)
        {
            return value.item<float>();
        }
    }
}
