using System;
using Unetr.Model.Training;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Training;

/// <summary>Hard Dice per class, checked against counts done by hand.</summary>
public sealed class DiceMetricTests
{
    [Fact]
    public void Scores_each_class_and_leaves_the_background_out_of_the_mean()
    {
        // predicted 0 1 1 2 2 2
        // reference 0 1 1 2 0 0
        // class 0: |P| 1, |R| 3, overlap 1 → 2/4; class 1: 2, 2, 2 → 1; class 2: 3, 1, 1 → 2/4.
        var metric = new DiceMetric(3);
        using var predicted = tensor(new long[] { 0, 1, 1, 2, 2, 2 }).reshape(1, 6);
        using var reference = tensor(new long[] { 0, 1, 1, 2, 0, 0 }).reshape(1, 6);

        metric.Add(predicted, reference);
        var score = metric.Compute();

        Assert.Equal(new[] { 0.5, 1.0, 0.5 }, score.PerClass);
        Assert.Equal(0.75, score.Mean, 12);
        Assert.Equal(1, score.Volumes);
    }

    [Fact]
    public void Empty_class_scores_one_when_also_not_predicted_and_zero_when_predicted()
    {
        // Neither volume contains class 2. The first predicts none of it (1), the second predicts one voxel (0).
        var metric = new DiceMetric(3);
        using var predicted = tensor(new long[] { 0, 1, 1, 0, 1, 2 }).reshape(2, 3);
        using var reference = tensor(new long[] { 0, 1, 1, 0, 1, 1 }).reshape(2, 3);

        metric.Add(predicted, reference);
        var score = metric.Compute();

        // Class 1: first volume 2·2/(2 + 2) = 1, second 2·1/(1 + 2) = 2/3.
        Assert.Equal((1 + 2.0 / 3) / 2, score.PerClass[1], 12);
        Assert.Equal((1 + 0) / 2.0, score.PerClass[2], 12);
        Assert.Equal(2, score.Volumes);
    }

    [Fact]
    public void Averages_volumes_added_in_separate_calls()
    {
        var metric = new DiceMetric(2);
        using var perfect = tensor(new long[] { 0, 1, 1, 0 }).reshape(1, 2, 2);
        using var missed = tensor(new long[] { 0, 0, 0, 0 }).reshape(1, 2, 2);

        metric.Add(perfect, perfect);
        metric.Add(missed, perfect);

        Assert.Equal(0.5, metric.Compute().Mean, 12);
    }

    [Fact]
    public void Refuses_to_score_before_any_volume()
    {
        Assert.Throws<InvalidOperationException>(() => new DiceMetric(3).Compute());
    }
}
