using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Diagnostics;
using System.IO;
using System.Linq;
using TorchSharp;
using Unetr.Model.Data;
using Unetr.Model.Data.Nifti;
using Unetr.Model.Training;
using static TorchSharp.torch;

namespace Unetr.Cli;

/// <summary>The <c>evaluate</c> command: Dice of a preset's weights on the embedded test volumes, or on one NIfTI image and its labels.</summary>
internal static class EvaluateCommand
{
    private const int DefaultVolumes = 32;

    /// <summary>Builds the command with its options and action.</summary>
    public static Command Create()
    {
        var shared = new InferenceOptions();
        var image = new Option<string?>("--image") { Description = "With --labels: score this NIfTI image instead of the embedded volumes." };
        var labels = new Option<string?>("--labels") { Description = "With --image: its reference label map (NIfTI, class indices)." };
        var volumes = new Option<int>("--volumes")
        {
            Description = $"Embedded synthetic test volumes to score (seeds {SyntheticDataset.TestSeed:N0}, …), as train's final score uses.",
            DefaultValueFactory = _ => DefaultVolumes,
        };
        volumes.Validators.Add(result =>
        {
            var value = result.GetValue(volumes);
            if (value < 1 || value > int.MaxValue - SyntheticDataset.TestSeed)
            {
                result.AddError($"--volumes must be between 1 and {int.MaxValue - SyntheticDataset.TestSeed:N0}; got {value}.");
            }
        });

        var command = new Command("evaluate", "Print per-class and mean Dice of a preset's weights: on the embedded synthetic test volumes, or on --image with --labels.")
        {
            image, labels, volumes,
        };
        foreach (var option in shared.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(result => CommandFailure.Report(() =>
            Run(shared.Read(result), result.GetValue(image), result.GetValue(labels), result.GetValue(volumes))));
        return command;
    }

    private static int Run(InferenceSettings settings, string? imagePath, string? labelPath, int volumes)
    {
        if ((imagePath is null) != (labelPath is null))
        {
            throw new UsageException("--image and --labels go together: give both to score one labelled image, or neither for the embedded test volumes.");
        }

        if (imagePath is not null)
        {
            CommandFailure.RequireFile(imagePath, "image", "--image");
            CommandFailure.RequireFile(labelPath!, "label map", "--labels");
        }

        using var loaded = settings.Load();
        Console.WriteLine(loaded.Describe(settings.Weights));
        ISegmentationDataset data;
        IReadOnlyList<string> classNames;
        if (imagePath is null)
        {
            var input = loaded.Preset.Summary.InputShape;
            if (input[0] != 1 || input[1] != input[2] || input[2] != input[3] || loaded.Classes != SyntheticVolume.ClassCount)
            {
                throw new UsageException(
                    $"{loaded.Preset.Name} takes [{string.Join(", ", input)}] and predicts {loaded.Classes} classes; the embedded volumes need a cubic input of 1 channel and {SyntheticVolume.ClassCount} classes ({string.Join(", ", SyntheticVolume.ClassNames)}). Score it on your own data with --image and --labels.");
            }

            data = SyntheticDataset.Test(volumes, (int)input[1]);
            classNames = SyntheticVolume.ClassNames;
            Console.WriteLine($"Scoring {volumes} embedded synthetic test volumes of {input[1]}³ (seeds {SyntheticDataset.TestSeed:N0}, …).");
        }
        else
        {
            data = LabelledImage.Read(imagePath, labelPath!, settings.AxisOrder, loaded.Channels, loaded.Classes);
            classNames = Enumerable.Range(0, (int)loaded.Classes).Select(c => c == 0 ? "background" : $"class {c}").ToArray();
            Console.WriteLine($"Scoring {Path.GetFullPath(imagePath)} against {Path.GetFullPath(labelPath!)}.");
        }

        Console.WriteLine($"Running {settings.Describe(loaded.Preset)}.");
        var inferer = settings.Inferer(loaded.Preset);
        var clock = Stopwatch.StartNew();
        var score = SegmentationEvaluator.Evaluate(
            loaded.Network, loaded.Preset.Summary.InputShape, data, batch => loaded.Logits(inferer, settings.Preprocess(batch)));
        clock.Stop();

        Console.WriteLine("Dice per class:");
        for (var c = 0; c < score.PerClass.Count; c++)
        {
            Console.WriteLine(FormattableString.Invariant($"  {c,3} {classNames[c],-12} {score.PerClass[c]:F4}"));
        }

        Console.WriteLine(FormattableString.Invariant(
            $"Mean Dice (classes 1-{score.PerClass.Count - 1}): {score.Mean:F4} over {score.Volumes} volume(s), in {clock.Elapsed.TotalSeconds:F1} s."));
        return 0;
    }

    /// <summary>One NIfTI image and its label map, checked to lie on one grid with classes the network predicts.</summary>
    private sealed class LabelledImage : ISegmentationDataset
    {
        private readonly Tensor image;
        private readonly Tensor label;

        private LabelledImage(Tensor image, Tensor label) => (this.image, this.label) = (image, label);

        public int Count => 1;

        public static LabelledImage Read(string imagePath, string labelPath, VoxelAxisOrder order, long channels, long classes)
        {
            var image = NiftiFile.Read(imagePath).ToTensor(order);
            if (image.dim() == 3)
            {
                image = image.unsqueeze(0);
            }

            if (image.shape[0] != channels)
            {
                throw new UsageException($"'{imagePath}' has {image.shape[0]} channel(s); the network takes {channels}.");
            }

            using var values = NiftiFile.Read(labelPath).ToTensor(order);
            if (!values.shape.SequenceEqual(image.shape.Skip(1)))
            {
                throw new UsageException(
                    $"'{labelPath}' is [{string.Join(", ", values.shape)}] but the image is [{string.Join(", ", image.shape.Skip(1))}]; they must share one grid.");
            }

            var label = values.round().to_type(int64);
            var (lowest, highest) = (label.min().item<long>(), label.max().item<long>());
            if (!values.eq(label.to_type(values.dtype)).all().item<bool>() || lowest < 0 || highest >= classes)
            {
                throw new UsageException($"'{labelPath}' must hold whole class indices 0 to {classes - 1}; its values run from {values.min().item<float>()} to {values.max().item<float>()}.");
            }

            return new LabelledImage(image, label);
        }

        public (Tensor Image, Tensor Label) Get(int index)
        {
            ArgumentOutOfRangeException.ThrowIfNotEqual(index, 0);
            return (image.clone(), label.clone());
        }
    }
}
