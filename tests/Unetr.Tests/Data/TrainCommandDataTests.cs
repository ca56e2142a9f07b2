using System;
using System.IO;
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
        Assert.True(File.Exists(Path.Combine(output, CheckpointFiles.BestWeights)));
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
