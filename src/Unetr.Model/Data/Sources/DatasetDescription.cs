using System.Collections.Generic;

namespace Unetr.Model.Data.Sources;

/// <summary>What a dataset source lists: its labelled volumes and, where known, its class and channel names.</summary>
/// <param name="SourcePath">Full path of the <c>dataset.json</c> or folder the description was read from.</param>
/// <param name="Name">The dataset's <c>name</c>, or the folder's name.</param>
/// <param name="ClassNames">Class names by label value (0 is background), or <c>null</c> when the source does not say.</param>
/// <param name="ChannelNames">Image channel names (<c>modality</c> or <c>channel_names</c>), or <c>null</c> when the source does not say.</param>
/// <param name="Training">The training volumes, at least one.</param>
/// <param name="Validation">The validation volumes the source lists, or <c>null</c> when it lists none (then some are held out of <paramref name="Training"/>).</param>
/// <param name="Test">Unlabelled test images (one list of files per volume); their existence is not checked.</param>
public sealed record DatasetDescription(
    string SourcePath,
    string Name,
    IReadOnlyList<string>? ClassNames,
    IReadOnlyList<string>? ChannelNames,
    IReadOnlyList<VolumeFiles> Training,
    IReadOnlyList<VolumeFiles>? Validation,
    IReadOnlyList<IReadOnlyList<string>> Test);
