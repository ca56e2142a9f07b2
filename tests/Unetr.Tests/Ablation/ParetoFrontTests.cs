using System;
using Unetr.Measurement.Ablation;
using Xunit;

namespace Unetr.Tests.Ablation;

public sealed class ParetoFrontTests
{
    [Fact]
    public void Front_keeps_the_undominated_points_cheapest_first()
    {
        var points = new CostQuality[]
        {
            new(4, 0.9), // 0: best quality, most expensive: on the front
            new(3, 0.6), // 1: dominated by 3 (cheaper and better)
            new(1, 0.5), // 2: cheapest: on the front
            new(2, 0.7), // 3: on the front
            new(2, 0.4), // 4: dominated by 2 and 3
        };

        Assert.Equal(new[] { 2, 3, 0 }, ParetoFront.Indices(points));
    }

    [Fact]
    public void Equal_points_are_on_the_front_together()
    {
        var points = new CostQuality[] { new(1, 0.5), new(1, 0.5), new(2, 0.4) };

        Assert.Equal(new[] { 0, 1 }, ParetoFront.Indices(points));
    }

    [Fact]
    public void Same_cost_and_lower_quality_is_dominated()
    {
        Assert.Equal(new[] { 1 }, ParetoFront.Indices(new CostQuality[] { new(1, 0.4), new(1, 0.5) }));
    }

    [Fact]
    public void Same_quality_and_higher_cost_is_dominated()
    {
        Assert.Equal(new[] { 1 }, ParetoFront.Indices(new CostQuality[] { new(2, 0.5), new(1, 0.5) }));
    }

    [Fact]
    public void A_single_point_is_its_own_front_and_no_points_give_an_empty_one()
    {
        Assert.Equal(new[] { 0 }, ParetoFront.Indices(new CostQuality[] { new(7, 0.1) }));
        Assert.Empty(ParetoFront.Indices(Array.Empty<CostQuality>()));
    }

    [Fact]
    public void Rejects_a_point_that_is_not_a_number()
    {
        var error = Assert.Throws<ArgumentException>(() => ParetoFront.Indices(new CostQuality[] { new(1, 0.5), new(2, double.NaN) }));

        Assert.Contains("Point 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("finite", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 0.5, 2, 0.5, true)]
    [InlineData(1, 0.5, 1, 0.4, true)]
    [InlineData(1, 0.5, 1, 0.5, false)]
    [InlineData(1, 0.4, 2, 0.5, false)]
    public void Dominance_needs_no_worse_in_both_and_better_in_one(double costA, double qualityA, double costB, double qualityB, bool expected) =>
        Assert.Equal(expected, ParetoFront.Dominates(new CostQuality(costA, qualityA), new CostQuality(costB, qualityB)));
}
