using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Unetr.Model.Checkpoints;
using Unetr.Model.Data.Nifti;
using Unetr.Model.Presets;
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
        Assert.Contains($"'{PathOf("labels.nii")}' must hold whole class indices 0 to 2; its values run from 5 to 5.", run.Error);
    }

    [Fact]
    public void Labels_on_another_grid_are_rejected()
    {
        WriteImage(PathOf("image.nii"), 32, 32, 32);
        WriteImage(PathOf("other.nii"), 32, 32, 31);

        var run = CliRun.Of("evaluate", "--weights", PathOf("tiny.safetensors"), "--image", PathOf("image.nii"), "--labels", PathOf("other.nii"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("is [32, 32, 31] but the image is [32, 32, 32]; they must share one grid.", run.Error);
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
    public void Help_lists_the_options()
    {
        var run = CliRun.Of("evaluate", "--help");

        Assert.Equal(0, run.ExitCode);
        foreach (var option in new[] { "--model", "--weights", "--image", "--labels", "--volumes", "--overlap", "--device" })
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

    private string PathOf(string name) => Path.Combine(_directory, name);
}
