using System.Diagnostics;
using Unetr.Generators.Validation;
using Xunit;

namespace Unetr.Tests.Validation;

/// <summary>The head counts UNETR009 suggests: the divisors of EmbedDim nearest to the Heads written.</summary>
public sealed class NearestDivisorsTests
{
    [Theory]
    [InlineData(48, 5, new[] { 4, 6 })]
    [InlineData(768, 10, new[] { 8, 12 })]
    [InlineData(2, 4, new[] { 2 })]
    [InlineData(7, 3, new[] { 1, 7 })]
    public void Suggests_the_divisor_on_each_side_of_the_heads(int embedDim, int heads, int[] expected) =>
        Assert.Equal(expected, Rules.NearestDivisors(embedDim, heads));

    // Found by the fuzzer: the suggestion scanned every count between Heads and the answer, about 2^31 modulo
    // operations for Heads = int.MaxValue: seconds of generator time in the IDE on every keystroke.
    [Theory]
    [InlineData(768, int.MaxValue, new[] { 768 })]
    [InlineData(int.MaxValue, int.MaxValue - 1, new[] { 1, int.MaxValue })]
    [InlineData(795, 1 << 30, new[] { 795 })]
    public void Suggests_head_counts_for_extreme_values_without_scanning_every_count(int embedDim, int heads, int[] expected)
    {
        var clock = Stopwatch.StartNew();

        var nearest = Rules.NearestDivisors(embedDim, heads);

        clock.Stop();
        Assert.Equal(expected, nearest);
        Assert.True(clock.ElapsedMilliseconds < 250, $"took {clock.ElapsedMilliseconds} ms");
    }
}
