using System;
using System.IO;
using Unetr.Model.Data;
using Unetr.Model.Data.Nifti;
using Unetr.Tests.Cli;
using Unetr.Model.Training;
using Unetr.Tests.Nifti;
using Unetr.Tests.Training;
using Xunit;

namespace Unetr.Tests.Data;

[Collection(TrainingCollection.Name)]
public sealed class TrainCommandDataTests : IDisposable
{
    private readonly TemporaryDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Train_reads_a_dataset_json_with_preprocessing_and_balanced_crops()
    {
        var json = ToyDataset.Write(_folder.Path, 3);
        var output = _folder.File("run");

        var (exit, stdout, stderr) = Run(
            "train", "--data", json, "--steps", "2", "--warmup", "1", "--batch-size", "1", "--validate-every", "2", "--output", output,
            "--spacing", "2,2,2", "--intensity-range", "0,300", "--crop-foreground", "--pos-neg", "1,1");

        Assert.True(exit == 0, stderr);
        Assert.Contains($"on 2 volumes of 'Toy' ({json}; 1 held out for validation)", stdout);
        Assert.Contains("Classes: 0 background, 1 ball, 2 slab.", stdout);
        Assert.Contains("on 1 validation volumes (no labelled test split on disk)", stdout);
        var weights = Path.Combine(output, CheckpointFiles.BestWeights);
        Assert.True(File.Exists(weights));
        Assert.Contains(
            $"Segment an image with: unetr infer --model TinyMonaiUnetr --weights {weights} --axis-order xyz --spacing 2,2,2 --intensity-range 0,300 --crop-foreground --input <image.nii.gz> --output <labels.nii.gz>",
            stdout);
    }

    [Fact]
    public void Train_writes_its_preprocessing_beside_the_weights_where_evaluate_finds_it()
    {
        var json = ToyDataset.Write(_folder.Path, 3);
        var output = _folder.File("run");
        var (exit, stdout, stderr) = Run(
            "train", "--data", json, "--steps", "2", "--warmup", "1", "--batch-size", "1", "--validate-every", "2", "--output", output,
            "--axis-order", "zyx", "--spacing", "1.5,1.5,1", "--intensity-range", "-10,300", "--normalize");
        Assert.True(exit == 0, stderr);
        var settings = Path.Combine(output, "best.preprocessing.json");

        var written = PreprocessingFile.Read(settings);
        var evaluate = CliRun.Of("evaluate", "--weights", Path.Combine(output, CheckpointFiles.BestWeights), "--data", json);

        Assert.Equal(VoxelAxisOrder.Zyx, written.AxisOrder);
        Assert.Equal(new[] { 1.5, 1.5, 1 }, written.TargetSpacing);
        Assert.Equal(new IntensityWindow(-10, 300), written.Window);
        Assert.Null(written.CropForeground);
        Assert.Equal(new ZScoreNormalization(NonzeroOnly: true), written.Normalize);
        Assert.Contains($"also read these preprocessing settings by themselves from {settings}", stdout);
        Assert.True(evaluate.ExitCode == 0, evaluate.ToString());
        Assert.Contains($"Preprocessing ({settings}): zyx axis order, resampled to 1.5 × 1.5 × 1 spacing (x, y, z), intensities [-10, 300] → [0, 1], clipped, z-scored per channel over non-zero voxels;", evaluate.Output);
        Assert.Contains("Scoring the 1 held-out validation volumes of 'Toy'", evaluate.Output);
    }

    [Fact]
    public void Pos_neg_needs_data()
    {
        var (exit, _, stderr) = Run("train", "--pos-neg", "1,1", "--steps", "2", "--warmup", "1", "--output", _folder.File("run"));

        Assert.Equal(2, exit);
        Assert.Contains("Preprocessing options (--pos-neg) apply to volumes read from disk; add --data <dataset.json or folder>.", stderr);
    }

    [Theory]
    [InlineData("--spacing", "1,0,1", "--spacing must be three positive numbers x,y,z; got '1,0,1'.")]
    [InlineData("--intensity-range", "300,0", "--intensity-range must be two numbers a_min,a_max with a_max > a_min; got '300,0'.")]
    [InlineData("--pos-neg", "0,0", "--pos-neg must be two non-negative numbers pos,neg, not both 0; got '0,0'.")]
    [InlineData("--steps", "0", "--steps must be a positive number; got 0.")]
    [InlineData("--warmup", "-1", "--warmup must be zero or more; got -1.")]
    public void Bad_option_values_are_named_with_what_they_must_be(string option, string value, string message)
    {
        var (exit, _, stderr) = Run("train", "--data", "absent.json", option, value, "--output", _folder.File("run"));

        Assert.NotEqual(0, exit);
        Assert.Contains(message, stderr);
    }

    [Fact]
    public void Train_refuses_a_network_whose_classes_do_not_fit_the_dataset()
    {
        var json = ToyDataset.Write(_folder.Path, 2);

        var (exit, _, stderr) = Run("train", "--data", json, "--model", "MonaiBtcvUnetr", "--steps", "2", "--warmup", "1", "--output", _folder.File("run"));

        Assert.Equal(2, exit);
        Assert.Contains("MonaiBtcvUnetr takes 1 input channel(s) and predicts 14 classes, but the dataset 'Toy' has 1 channel(s) and 3 classes (background, ball, slab)", stderr);
    }

    [Fact]
    public void Preprocessing_options_need_data()
    {
        var (exit, _, stderr) = Run("train", "--crop-foreground", "--spacing", "1,1,1", "--steps", "2", "--warmup", "1", "--output", _folder.File("run"));

        Assert.Equal(2, exit);
        Assert.Contains("Preprocessing options (--spacing, --crop-foreground) apply to volumes read from disk; add --data <dataset.json or folder>.", stderr);
    }

    private static (int Exit, string Stdout, string Stderr) Run(params string[] args)
    {
        var run = CliRun.Of(args);
        return (run.ExitCode, run.Output, run.Error);
    }
}
