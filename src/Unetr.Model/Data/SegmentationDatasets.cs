using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Unetr.Model.Data.Sources;

namespace Unetr.Model.Data;

/// <summary>Opens a dataset for training and evaluation from a <c>dataset.json</c>, a folder, or the embedded synthetic volumes.</summary>
public static class SegmentationDatasets
{
    /// <summary>
    /// Opens <paramref name="path"/>: a Decathlon/MONAI <c>dataset.json</c> (see <see cref="DatasetJson"/>), a folder
    /// holding one, or a folder of image/label pairs (see <see cref="PairedFolder"/>). When the source lists no
    /// validation volumes a seeded fraction of the training list is held out. Every volume is read and preprocessed
    /// now unless <see cref="DatasetOpenOptions.Lazy"/> says otherwise; without class names in the source, the classes
    /// are 0 to the largest label found, named "background", "class 1", ….
    /// </summary>
    /// <param name="path">A <c>dataset.json</c> or a folder.</param>
    /// <param name="preprocessing">Applied to every volume as it is loaded; <c>null</c> only reads.</param>
    /// <param name="options">List keys, held-out fraction and seed, lazy loading.</param>
    /// <exception cref="DatasetException">The source is missing or malformed, or its volumes do not fit together.</exception>
    /// <exception cref="Nifti.NiftiFormatException">A listed file is not a readable NIfTI image.</exception>
    public static DatasetSplits Open(string path, VolumePreprocessing? preprocessing = null, DatasetOpenOptions? options = null)
    {
        options ??= new DatasetOpenOptions();
        preprocessing ??= VolumePreprocessing.None;
        var (description, training, validation) = ListFiles(path, options);
        var channels = CheckChannels(description);
        var trainingSet = new NiftiSegmentationDataset(training, description.ClassNames?.Count, preprocessing, options.NonFiniteVoxels, options.NonFiniteVoxelsReplaced);
        var validationSet = new NiftiSegmentationDataset(validation, description.ClassNames?.Count, preprocessing, options.NonFiniteVoxels, options.NonFiniteVoxelsReplaced);
        try
        {
            var classNames = description.ClassNames;
            if (classNames is null)
            {
                var classes = Math.Max(trainingSet.HighestLabel(), validationSet.HighestLabel()) + 1;
                classNames = Enumerable.Range(0, (int)classes).Select(c => c == 0 ? "background" : $"class {c}").ToArray();
            }
            else if (!options.Lazy)
            {
                trainingSet.LoadAll();
                validationSet.LoadAll();
            }

            return new DatasetSplits(
                trainingSet, validationSet, classNames, channels, description.Name, description.SourcePath, description.Validation is null, description.Test);
        }
        catch
        {
            trainingSet.Dispose();
            validationSet.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The files of <paramref name="path"/>'s training and validation volumes, split exactly as <see cref="Open"/>
    /// splits them with the same <paramref name="options"/>, without reading any volume: for scoring weights on the
    /// volumes that validated them, on the files' own voxel grids.
    /// </summary>
    /// <param name="path">A <c>dataset.json</c> or a folder.</param>
    /// <param name="options">List keys, held-out fraction and seed.</param>
    /// <exception cref="DatasetException">The source is missing or malformed, or too small to hold a volume out.</exception>
    public static (DatasetDescription Description, IReadOnlyList<VolumeFiles> Training, IReadOnlyList<VolumeFiles> Validation) ListFiles(string path, DatasetOpenOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new DatasetOpenOptions();
        var description = Describe(Path.GetFullPath(path), options);
        if (description.Validation is { } listed)
        {
            return (description, description.Training, listed);
        }

        if (description.Training.Count < 2)
        {
            throw new DatasetException(
                $"{description.SourcePath}: lists no validation volumes and only 1 training volume, so none can be held out; add a \"validation\" list or more training volumes.");
        }

        var (training, validation) = HeldOutValidation.Split(description.Training, options.ValidationFraction, options.SplitSeed);
        return (description, training, validation);
    }

    /// <summary>
    /// The embedded synthetic volumes (see <see cref="SyntheticDataset"/>) as splits: the standard training and
    /// validation seed ranges, 1 channel, classes background, ellipsoid and box.
    /// </summary>
    public static DatasetSplits Synthetic(int trainingVolumes, int validationVolumes, int size) =>
        new(
            SyntheticDataset.Training(trainingVolumes, size),
            SyntheticDataset.Validation(validationVolumes, size),
            SyntheticVolume.ClassNames,
            InputChannels: 1,
            Name: "synthetic",
            Source: $"embedded synthetic {size}³ volumes",
            ValidationHeldOut: false,
            TestImages: Array.Empty<IReadOnlyList<string>>());

    private static DatasetDescription Describe(string path, DatasetOpenOptions options)
    {
        if (File.Exists(path))
        {
            return DatasetJson.Read(path, options.TrainingKey, options.ValidationKey);
        }

        if (Directory.Exists(path))
        {
            var json = Path.Combine(path, "dataset.json");
            return File.Exists(json) ? DatasetJson.Read(json, options.TrainingKey, options.ValidationKey) : PairedFolder.Read(path);
        }

        throw new DatasetException($"No dataset at '{path}': expected a dataset.json or a folder with imagesTr/ + labelsTr/ (or images/ + labels/).");
    }

    private static long CheckChannels(DatasetDescription description)
    {
        var volumes = description.Training.Concat(description.Validation ?? Array.Empty<VolumeFiles>()).ToArray();
        var first = volumes[0];
        var channels = NiftiSegmentationDataset.ChannelCount(first);
        foreach (var volume in volumes.Skip(1))
        {
            var count = NiftiSegmentationDataset.ChannelCount(volume);
            if (count != channels)
            {
                throw new DatasetException(
                    $"{volume.Describe()}: {count} channel(s), but {first.Describe()} has {channels}; every image of a dataset needs the same channels.");
            }
        }

        if (description.ChannelNames is { } names && names.Count != channels)
        {
            throw new DatasetException(
                $"{description.SourcePath}: names {names.Count} channel(s) ({string.Join(", ", names)}) but the images have {channels} ({first.Describe()}).");
        }

        return channels;
    }
}
