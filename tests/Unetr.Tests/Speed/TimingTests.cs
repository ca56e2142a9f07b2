using Unetr.Measurement.Speed;
using Xunit;

namespace Unetr.Tests.Speed;

public sealed class TimingTests
{
    [Fact]
    public void Median_of_an_odd_count_is_the_middle_value() =>
        Assert.Equal(3.0, Timing.Median(new[] { 9.0, 1.0, 3.0 }));

    [Fact]
    public void Median_of_an_even_count_averages_the_middle_pair() =>
        Assert.Equal(2.5, Timing.Median(new[] { 4.0, 1.0, 2.0, 3.0 }));

    [Fact]
    public void Paired_timing_calls_each_side_once_per_round_plus_a_warm_up()
    {
        var (first, second) = (0, 0);

        Timing.Paired(() => first++, () => second++, rounds: 4);

        Assert.Equal((5, 5), (first, second));
    }

    [Fact]
    public void Paired_timing_runs_the_warm_ups_asked_for_before_the_rounds()
    {
        var calls = new System.Collections.Generic.List<string>();

        var timing = Timing.Paired(() => calls.Add("a"), () => calls.Add("b"), rounds: 2, warmups: 3);

        Assert.Equal(new[] { "a", "b", "a", "b", "a", "b", "a", "b", "b", "a" }, calls);
        Assert.Equal(2, timing.Ratios.Count);
    }

    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(0.25, 1.75)]
    [InlineData(0.5, 2.5)]
    [InlineData(1.0, 4.0)]
    public void Quantiles_interpolate_between_ranks(double fraction, double expected) =>
        Assert.Equal(expected, Timing.Quantile(new[] { 4.0, 1.0, 3.0, 2.0 }, fraction), 12);

    [Fact]
    public void Pooling_keeps_every_round_and_averages_the_medians()
    {
        var pooled = PairedTiming.Pool(new PairedTiming(new[] { 1.02, 1.04 }, 2.0, 1.0), new PairedTiming(new[] { 0.97, 0.99, 0.95 }, 4.0, 3.0));

        Assert.Equal(new[] { 1.02, 1.04, 0.97, 0.99, 0.95 }, pooled.Ratios);
        Assert.Equal((3.0, 2.0), (pooled.FirstMedian, pooled.SecondMedian));
        Assert.Equal(0.99, pooled.Ratio, 12);
    }

    [Fact]
    public void Ratios_whose_middle_half_holds_one_are_parity_within_noise()
    {
        var timing = new PairedTiming(new[] { 0.90, 0.98, 1.03, 1.10, 1.20 }, 1.0, 1.0);

        Assert.Equal(1.03, timing.Ratio, 12);
        Assert.Equal((0.98, 1.10), (timing.Low, timing.High));
        Assert.True(timing.IsParityWithinNoise);
    }

    [Fact]
    public void Ratios_all_above_one_differ_beyond_noise()
    {
        var timing = new PairedTiming(new[] { 0.99, 1.08, 1.10, 1.12, 1.30 }, 1.1, 1.0);

        Assert.False(timing.IsParityWithinNoise);
    }

    [Fact]
    public void Self_timed_pairs_use_the_seconds_each_side_reports()
    {
        var (first, second) = (0, 0);

        var timing = Timing.PairedTimed(() => ++first * 3.0, () => ++second * 1.0, rounds: 4);

        // One warm-up call each (not recorded), then rounds 2..5: ratios (3k)/(k) = 3 whatever the order.
        Assert.Equal((5, 5), (first, second));
        Assert.All(timing.Ratios, ratio => Assert.Equal(3.0, ratio, 12));
        Assert.Equal(3.0 * 3.5, timing.FirstMedian, 12);
        Assert.Equal(3.5, timing.SecondMedian, 12);
    }

    [Theory]
    [InlineData(1.20, 1.30, "goal met")]
    [InlineData(1.10, 1.19, "goal missed")]
    [InlineData(1.15, 1.25, "goal within noise")]
    public void A_goal_is_judged_by_the_middle_half_of_the_ratios(double low, double high, string expected)
    {
        // Five ratios whose quartiles are exactly low and high.
        var timing = new PairedTiming(new[] { low - 0.5, low, (low + high) / 2, high, high + 0.5 }, 1, 1);

        Assert.Equal(expected, timing.Against(1.2));
    }
}
