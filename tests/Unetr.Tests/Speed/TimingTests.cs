using Unetr.Benchmarks.Speed;
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
}
