using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Unetr.CommandLine;
using Unetr.Model.Data;
using Unetr.Tests.Training;
using Xunit;

namespace Unetr.Tests.Cli;

[Collection(TrainingCollection.Name)]
public sealed class TrainCurvesTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("unetr-curves-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Training_writes_curves_beside_the_checkpoints_and_plain_progress_lines()
    {
        var run = Train(steps: 4);

        Assert.True(run.ExitCode == 0, run.ToString());
        var rows = Rows();
        Assert.Equal(new long[] { 1, 2, 3, 4 }, rows.Select(row => long.Parse(row[0], CultureInfo.InvariantCulture)));
        Assert.All(rows, row => Assert.True(double.Parse(row[1], CultureInfo.InvariantCulture) > 0, "loss"));
        Assert.Equal(new[] { false, true, false, true }, rows.Select(row => row[4].Length > 0));
        Assert.All(rows.Where(row => row[4].Length > 0), row => Assert.InRange(double.Parse(row[4], CultureInfo.InvariantCulture), 0, 1));
        Assert.Equal((TrainingCurves.Width, TrainingCurves.Height), Png.Size(Path.Combine(_directory, TrainingCurves.PngFile)));

        // Redirected output gets log lines rather than a live bar.
        Assert.Contains("step      2/4  loss ", run.Output);
        Assert.Contains(" it/s ", run.Output);
        Assert.Contains($"Curves: {Path.Combine(_directory, TrainingCurves.PngFile)} and {TrainingCurves.CsvFile}.", run.Output);

        // The embedded volumes need no preprocessing, and the file beside the weights says so.
        Assert.Contains("--weights " + Path.Combine(_directory, "best.pt") + " --axis-order xyz --input <image.nii.gz>", run.Output);
        Assert.Equal(VolumePreprocessing.None, PreprocessingFile.Read(Path.Combine(_directory, "best.preprocessing.json")));
    }

    [Fact]
    public void A_resumed_run_keeps_the_curves_up_to_its_checkpoint()
    {
        Assert.Equal(0, Train(steps: 4).ExitCode);
        var before = File.ReadAllLines(Path.Combine(_directory, TrainingCurves.CsvFile));

        var resumed = Train(steps: 6, "--resume", Path.Combine(_directory, "last.ckpt"));

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        var after = File.ReadAllLines(Path.Combine(_directory, TrainingCurves.CsvFile));
        Assert.Equal(before, after.Take(before.Length));
        Assert.Equal(new[] { "5", "6" }, after.Skip(before.Length).Select(line => line.Split(',')[0]));
    }

    [Fact]
    public void A_run_killed_at_its_second_checkpoint_and_resumed_has_the_curves_of_an_uninterrupted_run_row_for_row()
    {
        var uninterrupted = Path.Combine(_directory, "uninterrupted");
        var killed = Path.Combine(_directory, "killed");
        Assert.Equal(0, TrainInto(uninterrupted, steps: 6).ExitCode);

        // The kill: after step 3 the next write of curves.csv fails (a folder stands in its way), so the process stops at
        // the moment it writes the curves of step 4's validation, with the files as they were then on disk.
        var curves = Path.Combine(killed, TrainingCurves.CsvFile);
        byte[]? onDisk = null;
        Record.Exception(() => CliRun.Watched(
            line =>
            {
                if (line.StartsWith("step      3/6", StringComparison.Ordinal))
                {
                    onDisk = File.ReadAllBytes(curves);
                    File.Delete(curves);
                    Directory.CreateDirectory(curves);
                }
            },
            TrainArguments(6, killed)));
        Assert.NotNull(onDisk);
        Directory.Delete(curves);
        File.WriteAllBytes(curves, onDisk!);

        var resumed = TrainInto(killed, steps: 6, "--resume", Path.Combine(killed, "last.ckpt"));

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        var expected = File.ReadAllLines(Path.Combine(uninterrupted, TrainingCurves.CsvFile));
        Assert.Equal(7, expected.Length);
        Assert.Equal(expected, File.ReadAllLines(curves));
    }

    [Fact]
    public void A_run_resumed_into_another_folder_writes_its_best_weights_and_all_the_curves_there()
    {
        var first = Path.Combine(_directory, "first");
        var second = Path.Combine(_directory, "second");
        Assert.Equal(0, TrainInto(first, steps: 4).ExitCode);

        // Resumed from a finished run: its one validation scores the same weights, so it does not beat the restored best.
        var resumed = TrainInto(second, steps: 4, "--resume", Path.Combine(first, "last.ckpt"));

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains($"{second} holds no best.pt: the best of this run's validations will be saved there (the best so far, step 4 with validation ", resumed.Output);
        Assert.Contains("best checkpoint from step 4 ", resumed.Output);
        Assert.True(File.Exists(Path.Combine(second, "best.pt")) && File.Exists(Path.Combine(second, "best.ckpt")));
        Assert.Equal(File.ReadAllLines(Path.Combine(first, TrainingCurves.CsvFile)), File.ReadAllLines(Path.Combine(second, TrainingCurves.CsvFile)));
    }

    private CliRun Train(int steps, params string[] more) => TrainInto(_directory, steps, more);

    private static CliRun TrainInto(string output, int steps, params string[] more) => CliRun.Of(TrainArguments(steps, output, more));

    private static string[] TrainArguments(int steps, string output, params string[] more) =>
        new[]
        {
            "train", "--steps", steps.ToString(CultureInfo.InvariantCulture), "--warmup", "1", "--validate-every", "2", "--batch-size", "1",
            "--train-volumes", "2", "--validation-volumes", "1", "--test-volumes", "1", "--log-every", "1", "--output", output,
        }.Concat(more).ToArray();

    private string[][] Rows()
    {
        var lines = File.ReadAllLines(Path.Combine(_directory, TrainingCurves.CsvFile));
        Assert.Equal("step,loss,learning_rate,gradient_norm,validation_mean_dice", lines[0]);
        return lines.Skip(1).Select(line => line.Split(',')).ToArray();
    }
}
