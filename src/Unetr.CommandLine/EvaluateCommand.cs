using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Diagnostics;
using System.IO;
using System.Linq;
using TorchSharp;
using Unetr.Model.Data;
using Unetr.Model.Data.Sources;
using Unetr.Model.Training;
using static TorchSharp.torch;

namespace Unetr.CommandLine;

/// <summary>
/// The <c>evaluate</c> command: per-class Dice of a preset's weights on the embedded test volumes, on one NIfTI image
/// and its labels, or on a dataset's validation (or training) volumes, always on each volume's own voxel grid.
/// </summary>
internal static class EvaluateCommand
{
    private const int DefaultVolumes = 32;

    private const string Validation = "validation";

    private const string Training = "training";

    /// <summary>Builds the command with its options and action.</summary>
    public static Command Create(ModelCatalog models)
    {
        var shared = new InferenceOptions(models);
        var image = new Option<string?>("--image") { Description = "With --labels: score this NIfTI image instead of the embedded volumes." };
        var labels = new Option<string?>("--labels") { Description = "With --image: its reference label map (NIfTI, class indices)." };
        var data = new Option<string?>("--data")
        {
            Description = "Score a dataset's volumes instead: a dataset.json or a folder, split into training and validation exactly as train --data splits it.",
        };
        var split = new Option<string>("--split") { Description = "Which volumes of --data to score.", DefaultValueFactory = _ => Validation };
        split.AcceptOnlyFromAmong(Validation, Training);
        var volumes = OptionRules.Require(
            new Option<int>("--volumes")
            {
                Description = $"Embedded synthetic test volumes to score (seeds {SyntheticDataset.TestSeed:N0}, …), as train's final score uses.",
                DefaultValueFactory = _ => DefaultVolumes,
            },
            value => value >= 1 && value <= int.MaxValue - SyntheticDataset.TestSeed,
            $"between 1 and {int.MaxValue - SyntheticDataset.TestSeed:N0}");

        var command = new Command(
            "evaluate",
            "Print per-class and mean Dice of a preset's weights: on the embedded synthetic test volumes, on --image with --labels, or on a dataset (--data).")
        {
            image, labels, data, split, volumes,
        };
        foreach (var option in shared.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(result => CommandFailure.Report(() =>
        {
            var source = new Source(result.GetValue(image), result.GetValue(labels), result.GetValue(data), result.GetValue(split)!, result.GetResult(split) is { Implicit: false });
            return Run(shared.Read(result), source, result.GetValue(volumes));
        }));
        return command;
    }

    /// <summary>What the command line asked to score.</summary>
    private sealed record Source(string? Image, string? Labels, string? Data, string Split, bool SplitGiven);

    /// <summary>One volume to score: a name for the log, its files for messages, and how to read it on its own grid.</summary>
    private sealed record Scored(string Name, string Image, string Label, Func<(Tensor Image, Tensor Label, IReadOnlyList<double> SpacingXyz)> Read);

    private static int Run(InferenceSettings settings, Source source, int volumes)
    {
        if ((source.Image is null) != (source.Labels is null))
        {
            throw new UsageException("--image and --labels go together: give both to score one labelled image, or neither for the embedded test volumes.");
        }

        if (source.Data is not null && source.Image is not null)
        {
            throw new UsageException("Score either a dataset (--data) or one image (--image with --labels), not both.");
        }

        if (source.SplitGiven && source.Data is null)
        {
            throw new UsageException("--split chooses the volumes of --data; add --data <dataset.json or folder>.");
        }

        if (source.Image is not null)
        {
            CommandFailure.RequireFile(source.Image, "image", "--image");
            CommandFailure.RequireFile(source.Labels!, "label map", "--labels");
        }

        if (source.Data is null && source.Image is null && (PreprocessingOptions.ChangesVolumes(settings.Preprocessing) || settings.PreprocessingGiven.Count > 0))
        {
            var from = settings.PreprocessingGiven.Count > 0 ? string.Join(", ", settings.PreprocessingGiven) : $"from {Path.GetFullPath(settings.PreprocessingSource!)}";
            throw new UsageException(
                $"The embedded synthetic volumes are scored as generated; preprocessing ({from}) applies to volumes read from disk: score them with --data, or --image and --labels (or give --preprocessing none).");
        }

        using var loaded = settings.Load();
        Console.WriteLine(loaded.Describe(settings.Weights));
        var (scored, classNames, perVolume) = source switch
        {
            { Data: { } path } => FromDataset(path, source.Split, settings, loaded),
            { Image: { } imagePath } => FromImage(imagePath, source.Labels!, settings, loaded),
            _ => FromEmbedded(volumes, loaded),
        };

        if (source.Data is not null || source.Image is not null)
        {
            Console.WriteLine(settings.DescribePreprocessing());
        }

        Console.WriteLine($"Running {settings.Describe(loaded.Preset)}.");
        var segmenter = settings.Segmenter(loaded);
        var metric = new DiceMetric((int)loaded.Classes);
        var clock = Stopwatch.StartNew();
        foreach (var volume in scored)
        {
            using var scope = NewDisposeScope();
            var (image, label, spacing) = volume.Read();
            if (image.shape[0] != loaded.Channels)
            {
                throw new UsageException($"'{volume.Image}' has {image.shape[0]} channel(s); {loaded.Preset.Name} takes {loaded.Channels}.");
            }

            var highest = label.max().item<long>();
            if (highest >= loaded.Classes)
            {
                throw new UsageException($"'{volume.Label}': label value {highest} is not a class {loaded.Preset.Name} predicts (0 to {loaded.Classes - 1}).");
            }

            var predicted = settings.Segment(segmenter, image, spacing, volume.Image).unsqueeze(0);
            metric.Add(predicted, label.unsqueeze(0));
            if (perVolume)
            {
                var own = new DiceMetric((int)loaded.Classes);
                own.Add(predicted, label.unsqueeze(0));
                Console.WriteLine(FormattableString.Invariant($"  {volume.Name}: mean Dice {own.Compute().Mean:F4}"));
            }
        }

        clock.Stop();
        var score = metric.Compute();
        Console.WriteLine("Dice per class:");
        for (var c = 0; c < score.PerClass.Count; c++)
        {
            Console.WriteLine(FormattableString.Invariant($"  {c,3} {classNames[c],-12} {score.PerClass[c]:F4}"));
        }

        Console.WriteLine(FormattableString.Invariant(
            $"Mean Dice (classes 1-{score.PerClass.Count - 1}): {score.Mean:F4} over {score.Volumes} volume(s), in {clock.Elapsed.TotalSeconds:F1} s."));
        return 0;
    }

    private static (IReadOnlyList<Scored>, IReadOnlyList<string>, bool) FromEmbedded(int volumes, LoadedNetwork loaded)
    {
        var input = loaded.Preset.Summary.InputShape;
        if (input[0] != 1 || input[1] != input[2] || input[2] != input[3] || loaded.Classes != SyntheticVolume.ClassCount)
        {
            throw new UsageException(
                $"{loaded.Preset.Name} takes [{string.Join(", ", input)}] and predicts {loaded.Classes} classes; the embedded volumes need a cubic input of 1 channel and {SyntheticVolume.ClassCount} classes ({string.Join(", ", SyntheticVolume.ClassNames)}). Score it on your own data with --data, or --image and --labels.");
        }

        var test = SyntheticDataset.Test(volumes, (int)input[1]);
        Console.WriteLine($"Scoring {volumes} embedded synthetic test volumes of {input[1]}³ (seeds {SyntheticDataset.TestSeed:N0}, …).");
        IReadOnlyList<double> unitSpacing = new[] { 1.0, 1, 1 };
        var scored = Enumerable.Range(0, volumes).Select(i =>
        {
            var name = $"test volume {i}";
            return new Scored(name, name, name, () =>
            {
                var (image, label) = test.Get(i);
                return (image, label, unitSpacing);
            });
        }).ToArray();
        return (scored, SyntheticVolume.ClassNames, false);
    }

    private static (IReadOnlyList<Scored>, IReadOnlyList<string>, bool) FromImage(string imagePath, string labelPath, InferenceSettings settings, LoadedNetwork loaded)
    {
        Console.WriteLine($"Scoring {Path.GetFullPath(imagePath)} against {Path.GetFullPath(labelPath)}.");
        var files = new VolumeFiles(Path.GetFullPath(imagePath), Path.GetFullPath(labelPath));
        var scored = new[] { new Scored(Path.GetFileName(files.ImagePaths[0]), files.ImagePaths[0], files.LabelPath, () => NiftiSegmentationDataset.ReadOriginal(files, settings.AxisOrder, null, settings.NonFiniteVoxels, NonFiniteVoxelsOption.Report)) };
        return (scored, GenericClassNames(loaded.Classes), false);
    }

    private static (IReadOnlyList<Scored>, IReadOnlyList<string>, bool) FromDataset(string path, string split, InferenceSettings settings, LoadedNetwork loaded)
    {
        var (description, training, validation) = SegmentationDatasets.ListFiles(path);
        var names = description.ClassNames;
        if (names is not null && names.Count != loaded.Classes)
        {
            throw new UsageException(
                $"{loaded.Preset.Name} predicts {loaded.Classes} classes, but the dataset '{description.Name}' has {names.Count} ({string.Join(", ", names)}); give the preset it was trained as.");
        }

        var files = split == Training ? training : validation;
        var kind = split == Training ? "training" : description.Validation is null ? "held-out validation" : "listed validation";
        Console.WriteLine($"Scoring the {files.Count} {kind} volumes of '{description.Name}' ({description.SourcePath}) on their own voxel grids.");
        var scored = files
            .Select(volume => new Scored(
                Path.GetFileName(volume.ImagePaths[0]), volume.Describe(), volume.LabelPath, () => NiftiSegmentationDataset.ReadOriginal(volume, settings.AxisOrder, names?.Count, settings.NonFiniteVoxels, NonFiniteVoxelsOption.Report)))
            .ToArray();
        return (scored, names ?? GenericClassNames(loaded.Classes), true);
    }

    private static string[] GenericClassNames(long classes) =>
        Enumerable.Range(0, (int)classes).Select(c => c == 0 ? "background" : $"class {c}").ToArray();
}
