using System;
using TorchSharp;

namespace Unetr.Model.Data;

/// <summary>
/// A set of <see cref="SyntheticVolume"/>s with consecutive seeds. Training and validation sets are separate seed
/// ranges, so a held-out volume is never seen in training; <see cref="Training"/>, <see cref="Validation"/> (for
/// choosing the best checkpoint) and <see cref="Test"/> (for reporting it) give the ranges the command line uses.
/// </summary>
public sealed class SyntheticDataset : ISegmentationDataset
{
    /// <summary>First seed of the standard training range.</summary>
    public const int TrainingSeed = 0;

    /// <summary>First seed of the standard validation range, far enough from <see cref="TrainingSeed"/> that the ranges never meet.</summary>
    public const int ValidationSeed = 1_000_000;

    /// <summary>First seed of the standard test range, apart from both others.</summary>
    public const int TestSeed = 2_000_000;

    private SyntheticDataset(int count, int size, int seed)
    {
        Count = count;
        Size = size;
        FirstSeed = seed;
    }

    /// <inheritdoc />
    public int Count { get; }

    /// <summary>Edge of every volume in voxels.</summary>
    public int Size { get; }

    /// <summary>Seed of volume 0; volume <c>i</c> has seed <c>FirstSeed + i</c>.</summary>
    public int FirstSeed { get; }

    /// <summary>The <paramref name="count"/> volumes with seeds <paramref name="seed"/>, <paramref name="seed"/> + 1, ….</summary>
    /// <param name="count">Number of volumes, at least 1.</param>
    /// <param name="size">Edge of every volume, at least <see cref="SyntheticVolume.MinimumSize"/>.</param>
    /// <param name="seed">Seed of the first volume.</param>
    public static SyntheticDataset Create(int count, int size, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, SyntheticVolume.MinimumSize);
        if ((long)seed + count - 1 > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(seed), seed, $"Seeds {seed}..{(long)seed + count - 1} run past Int32.MaxValue.");
        }

        return new SyntheticDataset(count, size, seed);
    }

    /// <summary>The standard training set: <paramref name="count"/> volumes from <see cref="TrainingSeed"/>.</summary>
    public static SyntheticDataset Training(int count, int size) => Create(count, size, TrainingSeed);

    /// <summary>The standard validation set: <paramref name="count"/> volumes from <see cref="ValidationSeed"/>.</summary>
    public static SyntheticDataset Validation(int count, int size) => Create(count, size, ValidationSeed);

    /// <summary>The standard test set: <paramref name="count"/> volumes from <see cref="TestSeed"/>.</summary>
    public static SyntheticDataset Test(int count, int size) => Create(count, size, TestSeed);

    /// <inheritdoc />
    /// <remarks>Volumes are generated on demand (a few milliseconds at 32³) rather than held in memory.</remarks>
    public (torch.Tensor Image, torch.Tensor Label) Get(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return SyntheticVolume.Create(FirstSeed + index, Size);
    }
}
