using System;

namespace Unetr.Model.Training;

/// <summary>
/// A small seeded generator (SplitMix64) whose whole state is one <see cref="ulong"/>, so a checkpoint can store it
/// and a resumed run draws exactly the numbers the uninterrupted run would have drawn. <see cref="System.Random"/>
/// cannot be saved and restored, which is why the trainer does not use it.
/// </summary>
public sealed class SeededRandom
{
    private const ulong Golden = 0x9E3779B97F4A7C15;

    /// <summary>Starts the sequence of <paramref name="seed"/>.</summary>
    public SeededRandom(long seed) => State = unchecked((ulong)seed);

    /// <summary>The complete state; setting it to a saved value replays the sequence from that point.</summary>
    public ulong State { get; set; }

    /// <summary>The next 64 uniformly distributed bits.</summary>
    public ulong NextUInt64()
    {
        unchecked
        {
            State += Golden;
            var z = State;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
            return z ^ (z >> 31);
        }
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform double in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public double NextDouble(double low, double high) => low + NextDouble() * (high - low);

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>).</summary>
    public int Next(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxExclusive, 1);

        // Multiply-shift maps 64 random bits onto the range; the bias is below 2^-32 for any int range.
        return (int)((UInt128)NextUInt64() * (uint)maxExclusive >> 64);
    }

    /// <summary>True with probability <paramref name="probability"/>.</summary>
    public bool Chance(double probability) => NextDouble() < probability;
}
