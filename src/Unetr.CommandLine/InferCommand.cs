using System;
using System.CommandLine;
using System.Diagnostics;
using System.IO;
using System.Linq;
using TorchSharp;
using Unetr.Model.Data;
using Unetr.Model.Data.Nifti;
using static TorchSharp.torch;

namespace Unetr.CommandLine;

/// <summary>The <c>infer</c> command: segments a NIfTI image and writes the label map (and a PNG overlay) on the image's grid.</summary>
internal static class InferCommand
{
    /// <summary>Builds the command with its options and action.</summary>
    public static Command Create(ModelCatalog models)
    {
        var shared = new InferenceOptions(models);
        var input = new Option<string>("--input") { Description = "Image to segment: .nii or .nii.gz, 3D (or 4D with channels as the 4th axis).", Required = true };
        var output = new Option<string>("--output") { Description = "Label map to write: .nii or .nii.gz, with the input's geometry (affine, qform, sform, spacing).", Required = true };
        var overlay = new Option<string?>("--overlay") { Description = "Also write a .png of the middle axial slice: the image in grey, the labels in colour." };

        var command = new Command("infer", "Segment a NIfTI image with a preset and its weights; write the label map (and optionally a PNG overlay).")
        {
            input, output, overlay,
        };
        foreach (var option in shared.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(result => CommandFailure.Report(() =>
            Run(shared.Read(result), result.GetValue(input)!, result.GetValue(output)!, result.GetValue(overlay))));
        return command;
    }

    private static int Run(InferenceSettings settings, string input, string output, string? overlay)
    {
        CommandFailure.RequireFile(input, "image", "--input");
        if (!output.EndsWith(".nii", StringComparison.OrdinalIgnoreCase) && !output.EndsWith(".nii.gz", StringComparison.OrdinalIgnoreCase))
        {
            throw new UsageException($"--output must end in .nii or .nii.gz; got '{output}'.");
        }

        if (overlay is not null && !overlay.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
        {
            throw new UsageException($"--overlay must end in .png; got '{overlay}'.");
        }

        var fullOutput = OutputPaths.RequireFile(output, "--output");
        var fullOverlay = overlay is null ? null : OutputPaths.RequireFile(overlay, "--overlay");
        if (fullOverlay == fullOutput)
        {
            throw new UsageException($"--output and --overlay name the same file '{fullOutput}'.");
        }

        OutputPaths.RemoveStaleTemporaries(fullOutput, fullOverlay);

        using var loaded = settings.Load();
        Console.WriteLine(loaded.Describe(settings.Weights));

        var image = NiftiFile.Read(input);
        var header = image.Header;
        using var scope = NewDisposeScope();
        var volume = image.ToTensor(settings.AxisOrder);
        if (NonFiniteVoxelCheck.Apply(volume, input, settings.NonFiniteVoxels) is > 0 and var replaced)
        {
            NonFiniteVoxelsOption.Report(input, replaced);
        }

        if (volume.dim() == 3)
        {
            volume = volume.unsqueeze(0);
        }

        if (volume.shape[0] != loaded.Channels)
        {
            throw new UsageException(
                $"'{input}' has {volume.shape[0]} channel(s) (dimensions [{string.Join(", ", header.Dimensions)}]); {loaded.Preset.Name} takes {loaded.Channels}.");
        }

        Console.WriteLine(FormattableString.Invariant(
            $"Image {Path.GetFullPath(input)}: [{string.Join(", ", header.Dimensions)}] voxels of {string.Join(" × ", header.Spacing)}, {header.DataType}."));
        Console.WriteLine(settings.DescribePreprocessing());
        Console.WriteLine($"Running {settings.Describe(loaded.Preset)}.");

        var clock = Stopwatch.StartNew();
        var labels = settings.Segment(settings.Segmenter(loaded), volume, header.Spacing, input);
        clock.Stop();

        var counts = Enumerable.Range(0, (int)loaded.Classes).Select(c => labels.eq(c).sum().item<long>()).ToArray();
        Console.WriteLine(FormattableString.Invariant(
            $"Segmented in {clock.Elapsed.TotalSeconds:F1} s; voxels per class: {string.Join(", ", counts.Select((count, c) => $"{c}: {count:N0}"))}."));

        var dataType = loaded.Classes <= byte.MaxValue + 1 ? NiftiDataType.UInt8 : NiftiDataType.Int16;

        // A run that fails while writing leaves no label map (the overlay is written atomically, so it is whole or absent).
        CommandFailure.DeleteOnFailure(
            () =>
            {
                Directory.CreateDirectory(Path.GetDirectoryName(fullOutput)!);
                NiftiFile.Write(NiftiImage.FromTensor(header.ForLabelMap(dataType), labels, settings.AxisOrder), fullOutput);
                Console.WriteLine($"Wrote {fullOutput} ({dataType} labels on the input's grid and affine).");
                if (fullOverlay is not null)
                {
                    WriteOverlay(volume, labels, settings.AxisOrder, fullOverlay);
                }
            },
            fullOutput);
        return 0;
    }

    private static void WriteOverlay(Tensor volume, Tensor labels, VoxelAxisOrder axisOrder, string fullOverlay)
    {
        // Both volumes in the file's memory order [z, y, x], so the middle axial slice is [z / 2] whatever the axis order.
        var inZyx = axisOrder == VoxelAxisOrder.Zyx;
        var grey = inZyx ? volume[0] : volume[0].permute(2, 1, 0);
        var classes = inZyx ? labels : labels.permute(2, 1, 0);
        var slice = grey.shape[0] / 2;

        // Rows run from the largest y down, so that y points up in the picture.
        Directory.CreateDirectory(Path.GetDirectoryName(fullOverlay)!);
        var (width, height) = OverlayPng.Write(grey[slice].flip(0), classes[slice].flip(0), fullOverlay);
        Console.WriteLine($"Wrote {fullOverlay} (axial slice z = {slice}, {width} × {height} pixels).");
    }
}
