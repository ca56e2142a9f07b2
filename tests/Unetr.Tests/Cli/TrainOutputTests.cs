using System;
using System.IO;
using System.Linq;
using Unetr.Tests.Training;
using Xunit;

namespace Unetr.Tests.Cli;

[Collection(TrainingCollection.Name)]
public sealed class TrainOutputTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("unetr-train-output-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Temporaries_a_killed_run_left_are_removed_at_start_and_other_files_are_kept()
    {
        var output = PathOf("run");
        Directory.CreateDirectory(output);
        var ours = new[] { "last.ckpt.0123456789abcdef0123456789abcdef.tmp", "curves.csv.fedcba9876543210fedcba9876543210.tmp" };
        var others = new[] { "notes.tmp", "best.pt.1234.tmp", "download.ABCDEF0123456789ABCDEF0123456789.tmp" };
        foreach (var name in ours.Concat(others))
        {
            File.WriteAllText(Path.Combine(output, name), "left over");
        }

        var run = Train(output, steps: 2);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"Removed {Path.Combine(output, ours[0])}, left by an earlier run that was stopped while writing.", run.Output);
        Assert.All(ours, name => Assert.False(File.Exists(Path.Combine(output, name)), name));
        Assert.All(others, name => Assert.Equal("left over", File.ReadAllText(Path.Combine(output, name))));
        Assert.Equal(others.Order(StringComparer.Ordinal), Directory.GetFiles(output, "*.tmp").Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void An_output_that_is_a_file_is_refused_before_training()
    {
        File.WriteAllText(PathOf("taken"), "a file");

        var run = Train(PathOf("taken"), steps: 2);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"--output '{PathOf("taken")}' cannot be written: '{PathOf("taken")}' is a file, not a folder.", run.Error.TrimEnd());
        Assert.DoesNotContain("Training", run.Output);
        Assert.Equal(new[] { PathOf("taken") }, Directory.GetFileSystemEntries(_directory));
    }

    [Fact]
    public void An_output_below_a_file_is_refused_and_a_missing_parent_is_created()
    {
        File.WriteAllText(PathOf("taken"), "a file");

        var below = Train(Path.Combine(PathOf("taken"), "run"), steps: 2);
        var created = Train(Path.Combine(PathOf("new"), "nested", "run"), steps: 2);

        Assert.Equal(2, below.ExitCode);
        Assert.Equal($"--output '{Path.Combine(PathOf("taken"), "run")}' cannot be written: '{PathOf("taken")}' is a file, not a folder.", below.Error.TrimEnd());
        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.True(File.Exists(Path.Combine(PathOf("new"), "nested", "run", "best.pt")));
    }

    [Fact]
    public void A_folder_where_a_checkpoint_goes_is_refused_before_training()
    {
        var output = PathOf("run");
        Directory.CreateDirectory(Path.Combine(output, "best.pt"));

        var run = Train(output, steps: 2);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"--output '{output}' holds a folder named best.pt, where a file will be written; move it away.", run.Error.TrimEnd());
        Assert.Equal(new[] { Path.Combine(output, "best.pt") }, Directory.GetFileSystemEntries(output));
    }

    private static CliRun Train(string output, int steps) =>
        CliRun.Of(
            "train", "--steps", steps.ToString(System.Globalization.CultureInfo.InvariantCulture), "--warmup", "1", "--validate-every", "2", "--batch-size", "1",
            "--train-volumes", "2", "--validation-volumes", "1", "--test-volumes", "1", "--output", output);

    private string PathOf(string name) => Path.Combine(_directory, name);
}
