using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Unetr.Model.Checkpoints;
using Unetr.Model.Data;
using Unetr.Model.Data.Nifti;
using Unetr.Model.Presets;
using Unetr.Tests.Data;
using Unetr.Tests.Training;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Cli;

[Collection(TrainingCollection.Name)]
public sealed class EvaluateCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("unetr-evaluate-").FullName;

    public EvaluateCommandTests()
    {
        manual_seed(7);
        using var net = new TinyMonaiUnetr();
        StateDictWriter.Save(net, PathOf("tiny.safetensors"));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Prints_dice_per_class_and_their_foreground_mean_on_the_embedded_volumes()
    {
        var run = CliRun.Of("evaluate", "--weights", PathOf("tiny.safetensors"), "--volumes", "2");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Scoring 2 embedded synthetic test volumes of 32³", run.Output);
        var perClass = new[] { "background", "ellipsoid", "box" }.Select(name => Number(run.Output, $@"^\s+\d+ {name}\s+([0-9.]+)$")).ToArray();
        var mean = Number(run.Output, @"^Mean Dice \(classes 1-2\): ([0-9.]+) over 2 volume\(s\)");
        Assert.All(perClass, dice => Assert.InRange(dice, 0, 1));
        Assert.Equal((perClass[1] + perClass[2]) / 2, mean, 1e-4);
    }

    [Fact]
    public void Labels_that_infer_wrote_score_a_dice_of_one_on_their_image()
    {
        WriteImage(PathOf("image.nii.gz"), 33, 30, 34);
        var infer = CliRun.Of("infer", "--weights", PathOf("tiny.safetensors"), "--input", PathOf("image.nii.gz"), "--output", PathOf("labels.nii.gz"));
        Assert.True(infer.ExitCode == 0, infer.ToString());

        var run = CliRun.Of("evaluate", "--weights", PathOf("tiny.safetensors"), "--image", PathOf("image.nii.gz"), "--labels", PathOf("labels.nii.gz"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("    0 background   1.0000", run.Output);
        Assert.Contains("    1 class 1      1.0000", run.Output);
        Assert.Contains("    2 class 2      1.0000", run.Output);
        Assert.Contains("Mean Dice (classes 1-2): 1.0000 over 1 volume(s)", run.Output);
    }

    [Fact]
    public void Labels_outside_the_class_range_are_rejected_with_their_values()
    {
        WriteImage(PathOf("image.nii"), 32, 32, 32);
        var header = NiftiFile.ReadHeader(PathOf("image.nii")).ForLabelMap();
        NiftiFile.Write(NiftiImage.FromTensor(header, full(header.TensorShape(VoxelAxisOrder.Zyx), 5, float32)), PathOf("labels.nii"));

        var run = CliRun.Of("evaluate", "--weights", PathOf("tiny.safetensors"), "--image", PathOf("image.nii"), "--labels", PathOf("labels.nii"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"'{PathOf("labels.nii")}': label value 5 is not a class TinyMonaiUnetr predicts (0 to 2).", run.Error);
    }

    [Fact]
    public void Labels_on_another_grid_are_rejected()
    {
        WriteImage(PathOf("image.nii"), 32, 32, 32);
        WriteImage(PathOf("other.nii"), 32, 32, 31);

        var run = CliRun.Of("evaluate", "--weights", PathOf("tiny.safetensors"), "--image", PathOf("image.nii"), "--labels", PathOf("other.nii"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"{PathOf("other.nii")}: label map of size [32, 32, 31] does not match its image {PathOf("image.nii")} of spatial size [32, 32, 32].", run.Error);
    }

    [Fact]
    public void An_image_without_labels_is_an_error()
    {
        WriteImage(PathOf("image.nii"), 32, 32, 32);

        var run = CliRun.Of("evaluate", "--weights", PathOf("tiny.safetensors"), "--image", PathOf("image.nii"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--image and --labels go together", run.Error);
    }

    [Fact]
    public void Preprocessing_does_not_apply_to_the_embedded_volumes()
    {
        var given = CliRun.Of("evaluate", "--weights", PathOf("tiny.safetensors"), "--volumes", "1", "--spacing", "1,1,1");
        PreprocessingFile.Write(PathOf("tiny.preprocessing.json"), new VolumePreprocessing { Window = new IntensityWindow(0, 1) });
        var beside = CliRun.Of("evaluate", "--weights", PathOf("tiny.safetensors"), "--volumes", "1");
        var ignored = CliRun.Of("evaluate", "--weights", PathOf("tiny.safetensors"), "--volumes", "1", "--preprocessing", "none");

        Assert.Equal(2, given.ExitCode);
        Assert.Contains("The embedded synthetic volumes are scored as generated; preprocessing (--spacing) applies to volumes read from disk", given.Error);
        Assert.Equal(2, beside.ExitCode);
        Assert.Contains($"preprocessing (from {PathOf("tiny.preprocessing.json")}) applies to volumes read from disk", beside.Error);
        Assert.True(ignored.ExitCode == 0, ignored.ToString());
    }

    [Fact]
    public void Labels_that_infer_wrote_with_preprocessing_score_one_on_a_dataset_on_their_own_grid()
    {
        // The validation volume's reference is infer's output with the same preprocessing: evaluate must find it again,
        // on the file's grid, with the dataset's class names.
        var json = WriteDataset(out var validationImage);
        var preprocessing = new[] { "--spacing", "1,1,1", "--intensity-range", "0,300", "--crop-foreground" };
        var infer = CliRun.Of(new[] { "infer", "--weights", PathOf("tiny.safetensors"), "--input", validationImage, "--output", PathOf("data/labelsTr/case1.nii.gz") }.Concat(preprocessing).ToArray());
        Assert.True(infer.ExitCode == 0, infer.ToString());

        var run = CliRun.Of(new[] { "evaluate", "--weights", PathOf("tiny.safetensors"), "--data", json }.Concat(preprocessing).ToArray());
        var training = CliRun.Of(new[] { "evaluate", "--weights", PathOf("tiny.safetensors"), "--data", json, "--split", "training" }.Concat(preprocessing).ToArray());

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"Scoring the 1 listed validation volumes of 'Toy' ({json}) on their own voxel grids.", run.Output);
        Assert.Contains("  case1.nii.gz: mean Dice 1.0000", run.Output);
        Assert.Contains("    1 ball         1.0000", run.Output);
        Assert.Contains("    2 slab         1.0000", run.Output);
        Assert.Contains("Mean Dice (classes 1-2): 1.0000 over 1 volume(s)", run.Output);
        Assert.True(training.ExitCode == 0, training.ToString());
        Assert.Contains($"Scoring the 2 training volumes of 'Toy' ({json}) on their own voxel grids.", training.Output);
        Assert.Contains("over 2 volume(s)", training.Output);
    }

    [Fact]
    public void A_dataset_with_other_classes_or_a_split_without_data_is_refused()
    {
        var json = WriteDataset(out _, classes: """{ "0": "background", "1": "ball" }""");

        var classes = CliRun.Of("evaluate", "--weights", PathOf("tiny.safetensors"), "--data", json);
        var split = CliRun.Of("evaluate", "--weights", PathOf("tiny.safetensors"), "--split", "training");
        var both = CliRun.Of("evaluate", "--weights", PathOf("tiny.safetensors"), "--data", json, "--image", validationImage(), "--labels", validationImage());

        Assert.Equal(2, classes.ExitCode);
        Assert.Contains("TinyMonaiUnetr predicts 3 classes, but the dataset 'Toy' has 2 (background, ball); give the preset it was trained as.", classes.Error);
        Assert.Equal(2, split.ExitCode);
        Assert.Contains("--split chooses the volumes of --data; add --data <dataset.json or folder>.", split.Error);
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("Score either a dataset (--data) or one image (--image with --labels), not both.", both.Error);

        string validationImage() => PathOf("data/imagesTr/case1.nii.gz");
    }

    [Fact]
    public void Help_lists_the_options()
    {
        var run = CliRun.Of("evaluate", "--help");

        Assert.Equal(0, run.ExitCode);
        foreach (var option in new[]
                 {
                     "--model", "--weights", "--image", "--labels", "--data", "--split", "--volumes", "--overlap", "--device", "--preprocessing",
                     "--axis-order", "--spacing", "--intensity-range", "--crop-foreground", "--normalize",
                 })
        {
            Assert.Contains(option, run.Output);
        }
    }

    private static double Number(string output, string pattern)
    {
        var match = Regex.Match(output, pattern, RegexOptions.Multiline);
        Assert.True(match.Success, $"No line matches {pattern} in:\n{output}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static void WriteImage(string path, long x, long y, long z)
    {
        var header = new NiftiHeader { Dimensions = new[] { x, y, z }, PixDim = new[] { 1, 1.5, 1.5, 2.0, 1, 1, 1, 1 } };
        using var voxels = randn(header.TensorShape(VoxelAxisOrder.Zyx));
        NiftiFile.Write(NiftiImage.FromTensor(header, voxels), path);
    }

    /// <summary>
    /// A dataset.json named Toy with two training volumes and one validation volume, case1 (whose label map a test may
    /// replace); 20 × 18 × 14 voxels of 1.5 × 1.5 × 2 mm, a bright ball and slab over a dark background.
    /// </summary>
    private string WriteDataset(out string validationImage, string classes = """{ "0": "background", "1": "ball", "2": "slab" }""")
    {
        static int Label(long x, long y, long z) =>
            (x - 8) * (x - 8) + (y - 9) * (y - 9) + (z - 7) * (z - 7) <= 16 ? 1 : x >= 15 && y < 6 ? 2 : 0;

        var spacing = new[] { 1.5, 1.5, 2.0 };
        foreach (var i in new[] { 0, 1, 2 })
        {
            NiftiVolumes.Write(PathOf($"data/imagesTr/case{i}.nii.gz"), 20, 18, 14, (_, x, y, z) => Label(x, y, z) == 0 ? 0 : 100 * Label(x, y, z) + 7 * i + x, spacing: spacing);
            NiftiVolumes.WriteLabel(PathOf($"data/labelsTr/case{i}.nii.gz"), 20, 18, 14, Label, spacing: spacing);
        }

        validationImage = PathOf("data/imagesTr/case1.nii.gz");
        return NiftiVolumes.WriteText(PathOf("data/dataset.json"), $$"""
            { "name": "Toy", "labels": {{classes}},
              "training": [ { "image": "imagesTr/case0.nii.gz", "label": "labelsTr/case0.nii.gz" }, { "image": "imagesTr/case2.nii.gz", "label": "labelsTr/case2.nii.gz" } ],
              "validation": [ { "image": "imagesTr/case1.nii.gz", "label": "labelsTr/case1.nii.gz" } ] }
            """);
    }

    private string PathOf(string name) => Path.Combine(_directory, name);
}
