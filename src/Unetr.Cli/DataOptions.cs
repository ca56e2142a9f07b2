using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using Unetr.Model.Data;
using Unetr.Model.Data.Nifti;
using Unetr.Model.Data.Sources;
using Unetr.Model.Presets;

namespace Unetr.Cli;

/// <summary>The <c>train</c> options that choose a dataset on disk and how its volumes are preprocessed.</summary>
internal sealed class DataOptions
{
    private readonly Option<string?> _data = new("--data")
    {
        Description = "A dataset.json (Medical Segmentation Decathlon / MONAI) or a folder with imagesTr/ + labelsTr/ (or images/ + labels/). Without it, the embedded synthetic volumes.",
    };

    private readonly Option<string?> _spacing = new("--spacing") { Description = "Resample volumes to this voxel spacing along x,y,z, e.g. 1.5,1.5,2 (needs --data)." };

    private readonly Option<string?> _intensityRange = new("--intensity-range")
    {
        Description = "Window intensities a_min,a_max onto 0..1, clipped, e.g. -175,250 for abdominal CT (needs --data).",
    };

    private readonly Option<bool> _cropForeground = new("--crop-foreground") { Description = "Crop each volume to the box of its image's voxels above 0, after windowing (needs --data)." };

    private readonly Option<bool> _normalize = new("--normalize") { Description = "Z-score each image channel over its non-zero voxels, as for MR (needs --data)." };

    private readonly Option<string> _axisOrder = new("--axis-order")
    {
        Description = "How NIfTI axes become the network's [D, H, W]: xyz (nibabel's and MONAI's order, infer's and evaluate's default) or zyx (the file's memory order). Infer with the same order.",
        DefaultValueFactory = _ => "xyz",
    };

    private readonly Option<string?> _posNeg = new("--pos-neg")
    {
        Description = "Centre training crops on foreground or background voxels in the ratio pos,neg, e.g. 1,1 (MONAI's RandCropByPosNegLabel). Default: uniformly placed crops.",
    };

    public DataOptions()
    {
        Require(_spacing, text => Numbers(text, 3) is { } values && values.All(v => v > 0), "three positive numbers x,y,z");
        Require(_intensityRange, text => Numbers(text, 2) is [var low, var high] && high > low, "two numbers a_min,a_max with a_max > a_min");
        _axisOrder.AcceptOnlyFromAmong("xyz", "zyx");
        Require(_posNeg, text => Numbers(text, 2) is [var pos, var neg] && pos >= 0 && neg >= 0 && pos + neg > 0, "two non-negative numbers pos,neg, not both 0");
    }

    /// <summary>Every option, to add to the command.</summary>
    public IEnumerable<Option> All => new Option[] { _data, _axisOrder, _spacing, _intensityRange, _cropForeground, _normalize, _posNeg };

    /// <summary>The chosen dataset and preprocessing.</summary>
    public DataChoice Read(ParseResult result)
    {
        var spacing = Numbers(result.GetValue(_spacing), 3);
        var range = Numbers(result.GetValue(_intensityRange), 2);
        var posNeg = Numbers(result.GetValue(_posNeg), 2);
        var axisOrder = result.GetValue(_axisOrder);
        var preprocessing = new VolumePreprocessing
        {
            AxisOrder = axisOrder == "zyx" ? VoxelAxisOrder.Zyx : VoxelAxisOrder.Xyz,
            TargetSpacing = spacing,
            Window = range is [var low, var high] ? new IntensityWindow(low, high) : null,
            CropForeground = result.GetValue(_cropForeground) ? new ForegroundCropping() : null,
            Normalize = result.GetValue(_normalize) ? new ZScoreNormalization(NonzeroOnly: true) : null,
        };
        var used = new[] { (_axisOrder.Name, result.GetResult(_axisOrder) is { Implicit: false }), (_spacing.Name, spacing is not null), (_intensityRange.Name, range is not null), (_cropForeground.Name, result.GetValue(_cropForeground)), (_normalize.Name, result.GetValue(_normalize)) };
        return new DataChoice(
            result.GetValue(_data),
            preprocessing,
            used.Where(option => option.Item2).Select(option => option.Item1).ToArray(),
            posNeg is [var pos, var neg] ? pos / (pos + neg) : null);
    }

    private static double[]? Numbers(string? text, int count)
    {
        if (text is null)
        {
            return null;
        }

        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new double[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !double.IsFinite(values[i]))
            {
                return null;
            }
        }

        return values.Length == count ? values : null;
    }

    private static void Require(Option<string?> option, Func<string, bool> isValid, string expected) =>
        option.Validators.Add(result =>
        {
            if (result.GetValue(option) is { } text && !isValid(text))
            {
                result.AddError($"{option.Name} takes {expected}; got '{text}'.");
            }
        });
}

/// <summary>What <see cref="DataOptions"/> read from the command line.</summary>
/// <param name="Path">The dataset, or <c>null</c> for the embedded synthetic volumes.</param>
/// <param name="Preprocessing">Applied to every volume of <paramref name="Path"/>.</param>
/// <param name="PreprocessingOptions">Names of the preprocessing options given (which need <paramref name="Path"/>).</param>
/// <param name="ForegroundCropProbability">From --pos-neg: pos / (pos + neg), or <c>null</c> for uniform crops.</param>
internal sealed record DataChoice(string? Path, VolumePreprocessing Preprocessing, IReadOnlyList<string> PreprocessingOptions, double? ForegroundCropProbability)
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
            splits = SegmentationDatasets.Open(Path!, Preprocessing);
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
