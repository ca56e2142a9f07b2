using System;
using System.Collections.Generic;
using Unetr.CommandLine.Ablation;
using Xunit;

namespace Unetr.Tests.Ablation;

public sealed class AblationStatisticsTests
{
    // Student t quantiles from published tables (to 9 digits).
    [Theory]
    [InlineData(0.975, 1, 12.706204736)]
    [InlineData(0.975, 2, 4.302652730)]
    [InlineData(0.975, 3, 3.182446305)]
    [InlineData(0.975, 4, 2.776445105)]
    [InlineData(0.975, 9, 2.262157163)]
    [InlineData(0.975, 30, 2.042272456)]
    [InlineData(0.95, 5, 2.015048373)]
    [InlineData(0.025, 4, -2.776445105)]
    public void Student_t_quantiles_match_the_tables(double probability, int degreesOfFreedom, double expected)
    {
        Assert.Equal(expected, AblationStatistics.StudentTQuantile(probability, degreesOfFreedom), 1e-8);
    }

    [Fact]
    public void Interval_of_three_values_is_the_mean_plus_minus_t_times_the_standard_error()
    {
        // Mean 0.74, s = 0.04, s/√3 = 0.0230940, t(0.975, 2) = 4.3026527: half-width 0.0993655 (by hand).
        var interval = AblationStatistics.Interval(new[] { 0.70, 0.74, 0.78 });

        Assert.Equal(3, interval.Count);
        Assert.Equal(0.74, interval.Mean, 12);
        Assert.Equal(0.0993655085, interval.HalfWidth, 1e-9);
        Assert.Equal(0.6406344915, interval.Low, 1e-9);
        Assert.Equal(0.8393655085, interval.High, 1e-9);
        Assert.True(interval.ExcludesZero);
    }

    [Fact]
    public void One_value_has_a_mean_but_no_interval()
    {
        var interval = AblationStatistics.Interval(new[] { 0.5 });

        Assert.Equal(0.5, interval.Mean);
        Assert.False(interval.HasInterval);
        Assert.False(interval.ExcludesZero);
    }

    [Fact]
    public void Paired_difference_pairs_by_seed_and_is_unresolved_when_its_interval_contains_zero()
    {
        // Differences 0.10, 0.09, 0.01: mean 0.0666667, s = 0.0493288, half-width 4.3026527 · s/√3 = 0.1225396 (by hand).
        var baseline = new Dictionary<long, double> { [1] = 0.70, [2] = 0.74, [3] = 0.78, [4] = 0.10 };
        var variant = new Dictionary<long, double> { [3] = 0.79, [1] = 0.80, [2] = 0.83 };

        var difference = AblationStatistics.PairedDifference(variant, baseline)!.Value;

        Assert.Equal(3, difference.Count);
        Assert.Equal(0.0666666667, difference.Mean, 1e-9);
        Assert.Equal(0.1225396035, difference.HalfWidth, 1e-9);
        Assert.Equal(-0.0558729368, difference.Low, 1e-9);
        Assert.False(difference.ExcludesZero);
    }

    [Fact]
    public void Paired_difference_is_resolved_when_every_seed_moves_the_same_way_by_about_as_much()
    {
        // Differences 0.05, 0.07, 0.06, 0.08: mean 0.065, half-width s = 0.0129099, 3.1824463 · s/√4 = 0.0205426 (by hand).
        var baseline = new Dictionary<long, double> { [1] = 0.50, [2] = 0.60, [3] = 0.40, [4] = 0.70 };
        var variant = new Dictionary<long, double> { [1] = 0.55, [2] = 0.67, [3] = 0.46, [4] = 0.78 };

        var difference = AblationStatistics.PairedDifference(variant, baseline)!.Value;

        Assert.Equal(0.065, difference.Mean, 1e-9);
        Assert.Equal(0.0205426026, difference.HalfWidth, 1e-9);
        Assert.True(difference.ExcludesZero);
    }

    [Fact]
    public void No_common_seed_gives_no_difference_and_bad_values_are_refused()
    {
        Assert.Null(AblationStatistics.PairedDifference(new Dictionary<long, double> { [1] = 0.5 }, new Dictionary<long, double> { [2] = 0.5 }));
        Assert.Throws<ArgumentException>(() => AblationStatistics.Interval(Array.Empty<double>()));
        Assert.Throws<ArgumentException>(() => AblationStatistics.Interval(new[] { 0.5, double.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>(() => AblationStatistics.StudentTQuantile(1, 3));
    }
}
