using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Linq;
using Unetr.Model.Data;
using Unetr.Model.Data.Nifti;
using Unetr.Model.Data.Sources;
using Unetr.Model.Presets;

namespace Unetr.CommandLine;

/// <summary>The <c>train</c> options that choose a dataset on disk, how its volumes are preprocessed and how training crops are placed.</summary>
internal sealed class DataOptions
{
    private readonly Option<string?> _data = new("--data")
    {
        Description = "A dataset.json (Medical Segmentation Decathlon / MONAI) or a folder with imagesTr/ + labelsTr/ (or images/ + labels/). Without it, the embedded synthetic volumes.",
    };

    private readonly Option<string?> _posNeg = OptionRules.Numbers(
        new Option<string?>("--pos-neg")
        {
            Description = "Centre training crops on foreground or background voxels in the ratio pos,neg, e.g. 1,1 (MONAI's RandCropByPosNegLabel; needs --data). Default: uniformly placed crops.",
        },
        2,
        values => values.All(v => v >= 0) && values.Sum() > 0,
        "two non-negative numbers pos,neg, not both 0");

    private readonly PreprocessingOptions _preprocessing = new();

    private readonly NonFiniteVoxelsOption _nonFiniteVoxels = new();

    /// <summary>Every option, to add to the command.</summary>
    public IEnumerable<Option> All => new Option[] { _data }.Concat(_preprocessing.All).Append(_posNeg).Append(_nonFiniteVoxels.Option);

    /// <summary>The chosen dataset and preprocessing.</summary>
    public DataChoice Read(ParseResult result)
    {
        var (preprocessing, given) = _preprocessing.Read(result, VolumePreprocessing.None);
        var posNeg = OptionRules.ParseNumbers(result.GetValue(_posNeg), 2);
        var (nonFinite, nonFiniteGiven) = _nonFiniteVoxels.Read(result);
        var named = posNeg is null ? given : given.Append(_posNeg.Name).ToArray();
        return new DataChoice(
            result.GetValue(_data),
            preprocessing,
            nonFiniteGiven ? named.Append(_nonFiniteVoxels.Option.Name).ToArray() : named,
            posNeg is [var pos, var neg] ? pos / (pos + neg) : null,
            nonFinite);
    }
}

/// <summary>What <see cref="DataOptions"/> read from the command line.</summary>
/// <param name="Path">The dataset, or <c>null</c> for the embedded synthetic volumes.</param>
/// <param name="Preprocessing">Applied to every volume of <paramref name="Path"/>.</param>
/// <param name="PreprocessingOptions">Names of the preprocessing and crop options given (which need <paramref name="Path"/>).</param>
/// <param name="ForegroundCropProbability">From --pos-neg: pos / (pos + neg), or <c>null</c> for uniform crops.</param>
/// <param name="NonFiniteVoxels">From --non-finite-voxels: refuse NaN and infinite image voxels, or replace them with 0.</param>
internal sealed record DataChoice(
    string? Path, VolumePreprocessing Preprocessing, IReadOnlyList<string> PreprocessingOptions, double? ForegroundCropProbability, NonFiniteVoxels NonFiniteVoxels)
{
    /// <summary>
    /// Opens the dataset for <paramref name="preset"/>, or writes why not to standard error and returns <c>null</c>:
    /// a missing or malformed source, unreadable volumes, or channels and classes that do not fit the network.
    /// </summary>
    public DatasetSplits? Open(Preset preset)
    {
        var input = preset.Summary.InputShape;
        if (input.Count != 4)
        {
            Console.Error.WriteLine($"{preset.Name} takes [{string.Join(", ", input)}]; --data needs a 3D network (input [channels, D, H, W]).");
            return null;
        }

        DatasetSplits? splits = null;
        try
        {
            var options = new DatasetOpenOptions { NonFiniteVoxels = NonFiniteVoxels, NonFiniteVoxelsReplaced = NonFiniteVoxelsOption.Report };
            splits = SegmentationDatasets.Open(Path!, Preprocessing, options);
            splits.EnsureFits(preset.Name, input[0], preset.OutputShape[0]);
            return splits;
        }
        catch (Exception error) when (error is DatasetException or NiftiFormatException or IOException)
        {
            splits?.Dispose();
            Console.Error.WriteLine(error.Message);
            return null;
        }
    }
}
