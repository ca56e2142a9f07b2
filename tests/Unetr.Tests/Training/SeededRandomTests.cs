using System.Linq;
using Unetr.Model.Training;
using Xunit;

namespace Unetr.Tests.Training;

public sealed class SeededRandomTests
{
    [Fact]
    public void Restoring_the_state_replays_the_sequence()
    {
        var random = new SeededRandom(3);
        random.NextUInt64();
        var saved = random.State;
        var expected = Enumerable.Range(0, 5).Select(_ => random.NextUInt64()).ToArray();

        var restored = new SeededRandom(99) { State = saved };

        Assert.Equal(expected, Enumerable.Range(0, 5).Select(_ => restored.NextUInt64()).ToArray());
    }

    [Fact]
    public void Integers_stay_in_range_and_cover_it()
    {
        var random = new SeededRandom(1);
        var draws = Enumerable.Range(0, 1000).Select(_ => random.Next(7)).ToArray();

        Assert.All(draws, d => Assert.InRange(d, 0, 6));
        Assert.Equal(7, draws.Distinct().Count());
    }
}
