using System;
using System.CommandLine;
using System.Diagnostics;
using System.IO;
using System.Linq;
using TorchSharp;
using Unetr.Model.Data;
using Unetr.Model.Data.Nifti;
using Unetr.Onnx;
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
        var engine = new Option<string>("--engine")
        {
            Description = "What runs the network: torchsharp (the preset with --weights) or onnxruntime (an exported --onnx file, CPU).",
            DefaultValueFactory = _ => Torchsharp,
        };
        engine.AcceptOnlyFromAmong(Torchsharp, OnnxRuntime);
        var onnx = new Option<string?>("--onnx") { Description = "With --engine onnxruntime: the .onnx file 'unetr export' wrote; --model, if given, must be the network it holds." };

        var command = new Command("infer", "Segment a NIfTI image with a preset and its weights; write the label map (and optionally a PNG overlay).")
        {
            input, output, overlay, engine, onnx,
        };
        foreach (var option in shared.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(result => CommandFailure.Report(() =>
            Run(shared.Read(result, result.GetValue(engine) == OnnxRuntime ? result.GetValue(onnx) : null), result.GetValue(input)!, result.GetValue(output)!, result.GetValue(overlay), result.GetValue(engine)!, result.GetValue(onnx))));
        return command;
    }

    private const string Torchsharp = "torchsharp";

    private const string OnnxRuntime = "onnxruntime";

    private static int Run(InferenceSettings settings, string input, string output, string? overlay, string engine, string? onnx)
    {
        if (engine == Torchsharp && onnx is not null)
        {
            throw new UsageException("--onnx needs --engine onnxruntime (the torchsharp engine runs --model with --weights).");
        }

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

        using ISegmentationEngine loaded = engine == OnnxRuntime ? OpenOnnx(settings, onnx) : settings.Load();
        Console.WriteLine(loaded is OnnxEngine session ? session.Describe() : ((LoadedNetwork)loaded).Describe(settings.Weights));

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
                $"'{input}' has {volume.shape[0]} channel(s) (dimensions [{string.Join(", ", header.Dimensions)}]); {loaded.Name} takes {loaded.Channels}.");
        }

        Console.WriteLine(FormattableString.Invariant(
            $"Image {Path.GetFullPath(input)}: [{string.Join(", ", header.Dimensions)}] voxels of {string.Join(" × ", header.Spacing)}, {header.DataType}."));
        Console.WriteLine(settings.DescribePreprocessing());
        Console.WriteLine($"Running {settings.Describe(loaded.InputShape, loaded is OnnxEngine ? "onnxruntime cpu" : settings.Device.ToString().ToLowerInvariant())}.");

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

    /// <summary>Opens the exported file for <c>--engine onnxruntime</c>, checked against <c>--model</c> when it was given.</summary>
    private static OnnxEngine OpenOnnx(InferenceSettings settings, string? onnx)
    {
        if (onnx is null)
        {
            throw new UsageException("--engine onnxruntime needs --onnx FILE.onnx (write one with 'unetr export').");
        }

        if (settings.WeightsGiven)
        {
            throw new UsageException("--weights does not apply with --engine onnxruntime: the weights are inside the --onnx file.");
        }

        if (settings.Device == DeviceType.CUDA)
        {
            throw new UsageException("--engine onnxruntime runs on the CPU; drop --device cuda.");
        }

        CommandFailure.RequireFile(onnx, "ONNX model", "--onnx");
        var network = OnnxRuntimeNetwork.Open(onnx, settings.Threads);
        try
        {
            var info = network.Info;
            if (settings.ModelGiven)
            {
                var preset = settings.Models.Find(settings.Model);
                if (!string.Equals(preset.Name, info.Model, StringComparison.OrdinalIgnoreCase)
                    || !preset.Summary.InputShape.SequenceEqual(info.InputShape) || !preset.OutputShape.SequenceEqual(info.OutputShape))
                {
                    throw new UsageException(
                        $"--model {preset.Name} ([{string.Join(", ", preset.Summary.InputShape)}] → [{string.Join(", ", preset.OutputShape)}]) does not match '{network.Path}', which holds {info.Model} ([{string.Join(", ", info.InputShape)}] → [{string.Join(", ", info.OutputShape)}]).");
                }
            }

            if (info.InputShape.Count != 4)
            {
                throw new UsageException($"'{network.Path}' holds {info.Model}, which takes [{string.Join(", ", info.InputShape)}]; infer segments 3D volumes [C, D, H, W].");
            }

            return new OnnxEngine(network);
        }
        catch
        {
            network.Dispose();
            throw;
        }
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
