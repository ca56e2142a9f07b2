using System;
using System.Collections.Generic;
using Unetr.Model.Data.Sources;

namespace Unetr.Model.Data;

/// <summary>A dataset opened for training: its training and validation volumes, class names and channel count.</summary>
/// <param name="Training">Volumes to train on.</param>
/// <param name="Validation">Volumes to choose the best checkpoint on (listed by the source, or held out of its training list).</param>
/// <param name="ClassNames">Class names by label value, background (0) first.</param>
/// <param name="InputChannels">Channels of every image.</param>
/// <param name="Name">The dataset's name.</param>
/// <param name="Source">The <c>dataset.json</c> or folder it came from, or a description of an embedded set.</param>
/// <param name="ValidationHeldOut">Whether <paramref name="Validation"/> was held out of the source's training list.</param>
/// <param name="TestImages">Unlabelled test images the source lists (one list of files per volume), possibly none.</param>
public sealed record DatasetSplits(
    ISegmentationDataset Training,
    ISegmentationDataset Validation,
    IReadOnlyList<string> ClassNames,
    long InputChannels,
    string Name,
    string Source,
    bool ValidationHeldOut,
    IReadOnlyList<IReadOnlyList<string>> TestImages) : IDisposable
{
    /// <summary>Throws unless a network taking <paramref name="inputChannels"/> channels and predicting <paramref name="classes"/> classes fits this dataset.</summary>
    /// <param name="network">The network's name, for the message.</param>
    /// <param name="inputChannels">Its input channels.</param>
    /// <param name="classes">Its output classes.</param>
    /// <exception cref="DatasetException">The channels or classes differ; the message names both values.</exception>
    public void EnsureFits(string network, long inputChannels, long classes)
    {
        if (inputChannels != InputChannels || classes != ClassNames.Count)
        {
            throw new DatasetException(
                $"{network} takes {inputChannels} input channel(s) and predicts {classes} classes, but the dataset '{Name}' has {InputChannels} channel(s) "
                + $"and {ClassNames.Count} classes ({string.Join(", ", ClassNames)}); choose a network with {InputChannels} input channel(s) and {ClassNames.Count} classes.");
        }
    }

    /// <summary>Frees the volumes the datasets hold in memory.</summary>
    public void Dispose()
    {
        (Training as IDisposable)?.Dispose();
        if (!ReferenceEquals(Training, Validation))
        {
            (Validation as IDisposable)?.Dispose();
        }
    }
}
