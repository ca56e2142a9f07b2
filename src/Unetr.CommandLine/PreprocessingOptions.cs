using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.Linq;
using Unetr.Model.Data;
using Unetr.Model.Data.Nifti;

namespace Unetr.CommandLine;

/// <summary>
/// The options that say how a NIfTI volume becomes the network's input, the same for <c>train</c>, <c>infer</c> and
/// <c>evaluate</c>: axis order, resampling to a spacing, intensity window, foreground crop, z-score normalisation.
/// </summary>
internal sealed class PreprocessingOptions
{
    private const string Xyz = "xyz";

    private const string Zyx = "zyx";

    private readonly Option<string> _axisOrder = new("--axis-order")
    {
        Description = "How NIfTI axes become the network's [D, H, W]: xyz (nibabel's and MONAI's order) or zyx (the file's memory order). Train and infer in the same order.",
        DefaultValueFactory = _ => Xyz,
    };

    private readonly Option<string?> _spacing = OptionRules.Numbers(
        new Option<string?>("--spacing") { Description = "Resample volumes to this voxel spacing along x,y,z, e.g. 1.5,1.5,2 (images trilinear, labels nearest)." },
        3,
        values => values.All(v => v > 0),
        "three positive numbers x,y,z");

    private readonly Option<string?> _intensityRange = OptionRules.Numbers(
        new Option<string?>("--intensity-range") { Description = "Window intensities a_min,a_max onto 0..1, clipped, e.g. -175,250 for abdominal CT." },
        2,
        values => values[1] > values[0],
        "two numbers a_min,a_max with a_max > a_min");

    private readonly Option<bool> _cropForeground = new("--crop-foreground") { Description = "Crop each volume to the box of its image's voxels above 0, after windowing." };

    private readonly Option<bool> _normalize = new("--normalize") { Description = "Z-score each image channel over its non-zero voxels, as for MR." };

    public PreprocessingOptions() => _axisOrder.AcceptOnlyFromAmong(Xyz, Zyx);

    /// <summary>Every option, to add to a command.</summary>
    public IEnumerable<Option> All => new Option[] { _axisOrder, _spacing, _intensityRange, _cropForeground, _normalize };

    /// <summary>
    /// The preprocessing: <paramref name="defaults"/> with each option given on the command line in its place
    /// (<c>--crop-foreground false</c> and <c>--normalize false</c> turn a step off).
    /// </summary>
    /// <returns>The settings, and the names of the options given.</returns>
    public (VolumePreprocessing Preprocessing, IReadOnlyList<string> Given) Read(ParseResult result, VolumePreprocessing defaults)
    {
        var given = All.Where(option => result.GetResult(option) is { Implicit: false }).Select(option => option.Name).ToArray();
        bool Given(Option option) => given.Contains(option.Name);
        var preprocessing = defaults;
        if (Given(_axisOrder))
        {
            preprocessing = preprocessing with { AxisOrder = result.GetValue(_axisOrder) == Zyx ? VoxelAxisOrder.Zyx : VoxelAxisOrder.Xyz };
        }

        if (OptionRules.ParseNumbers(result.GetValue(_spacing), 3) is { } spacing)
        {
            preprocessing = preprocessing with { TargetSpacing = spacing };
        }

        if (OptionRules.ParseNumbers(result.GetValue(_intensityRange), 2) is [var low, var high])
        {
            preprocessing = preprocessing with { Window = new IntensityWindow(low, high) };
        }

        if (Given(_cropForeground))
        {
            preprocessing = preprocessing with { CropForeground = result.GetValue(_cropForeground) ? defaults.CropForeground ?? new ForegroundCropping() : null };
        }

        if (Given(_normalize))
        {
            preprocessing = preprocessing with { Normalize = result.GetValue(_normalize) ? defaults.Normalize ?? new ZScoreNormalization(NonzeroOnly: true) : null };
        }

        return (preprocessing, given);
    }

    /// <summary>Whether any step beyond reading is taken.</summary>
    public static bool ChangesVolumes(VolumePreprocessing preprocessing) =>
        preprocessing.TargetSpacing is not null || preprocessing.Window is not null || preprocessing.CropForeground is not null || preprocessing.Normalize is not null;

    /// <summary>The options that ask for <paramref name="preprocessing"/>, e.g. "--axis-order xyz --spacing 1.5,1.5,2 --crop-foreground".</summary>
    public static string AsArguments(VolumePreprocessing preprocessing)
    {
        ArgumentNullException.ThrowIfNull(preprocessing);
        var arguments = new List<string> { "--axis-order", Name(preprocessing.AxisOrder) };
        if (preprocessing.TargetSpacing is { } spacing)
        {
            arguments.AddRange(new[] { "--spacing", string.Join(",", spacing.Select(Number)) });
        }

        if (preprocessing.Window is { } window)
        {
            arguments.AddRange(new[] { "--intensity-range", $"{Number(window.AMin)},{Number(window.AMax)}" });
        }

        if (preprocessing.CropForeground is not null)
        {
            arguments.Add("--crop-foreground");
        }

        if (preprocessing.Normalize is not null)
        {
            arguments.Add("--normalize");
        }

        return string.Join(" ", arguments);
    }

    /// <summary>One line for the log, e.g. "xyz axis order, resampled to 1.5 × 1.5 × 2 spacing, intensities [-175, 250] → [0, 1]".</summary>
    public static string Describe(VolumePreprocessing preprocessing)
    {
        ArgumentNullException.ThrowIfNull(preprocessing);
        var steps = new List<string> { $"{Name(preprocessing.AxisOrder)} axis order" };
        if (preprocessing.TargetSpacing is { } spacing)
        {
            steps.Add($"resampled to {string.Join(" × ", spacing.Select(Number))} spacing (x, y, z)");
        }

        if (preprocessing.Window is { } w)
        {
            steps.Add($"intensities [{Number(w.AMin)}, {Number(w.AMax)}] → [{Number(w.BMin)}, {Number(w.BMax)}]{(w.Clip ? ", clipped" : string.Empty)}");
        }

        if (preprocessing.CropForeground is { } crop)
        {
            steps.Add($"cropped to the foreground (above {Number(crop.Threshold)}, margin {crop.Margin})");
        }

        if (preprocessing.Normalize is { } normalize)
        {
            steps.Add($"z-scored {(normalize.ChannelWise ? "per channel" : "over all channels")}{(normalize.NonzeroOnly ? " over non-zero voxels" : string.Empty)}");
        }

        return string.Join(", ", steps);
    }

    private static string Name(VoxelAxisOrder order) => order == VoxelAxisOrder.Zyx ? Zyx : Xyz;

    private static string Number(double value) => value.ToString(CultureInfo.InvariantCulture);
}
