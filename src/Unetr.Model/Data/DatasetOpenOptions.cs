using Unetr.Model.Data.Sources;

namespace Unetr.Model.Data;

/// <summary>How <see cref="SegmentationDatasets.Open"/> reads a dataset and splits off validation volumes.</summary>
public sealed record DatasetOpenOptions
{
    /// <summary>Key of the training list in a <c>dataset.json</c> (MONAI datalists may use another, e.g. <c>"fold0"</c>).</summary>
    public string TrainingKey { get; init; } = DatasetJson.TrainingKey;

    /// <summary>
    /// Key of the validation list in a <c>dataset.json</c>. <c>null</c>: <c>"validation"</c> when the file has a non-empty
    /// list there, otherwise <see cref="ValidationFraction"/> of the training volumes is held out. A key named here must exist.
    /// </summary>
    public string? ValidationKey { get; init; }

    /// <summary>Fraction of the training volumes held out for validation when the source lists none, in (0, 1).</summary>
    public double ValidationFraction { get; init; } = HeldOutValidation.DefaultFraction;

    /// <summary>Seeds the choice of held-out volumes; the same seed always holds out the same volumes.</summary>
    public long SplitSeed { get; init; }

    /// <summary>
    /// Load each volume when it is first used rather than all at once when opening. Opening is faster but a bad file
    /// surfaces mid-training. Ignored when the source names no classes, as their number comes from the label maps.
    /// </summary>
    public bool Lazy { get; init; }

    /// <summary>What to do with NaN and infinite image voxels: refuse the file (the default) or replace them with 0.</summary>
    public NonFiniteVoxels NonFiniteVoxels { get; init; }

    /// <summary>Told the file and the count each time non-finite voxels are replaced with 0.</summary>
    public System.Action<string, long>? NonFiniteVoxelsReplaced { get; init; }
}
