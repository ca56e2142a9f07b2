using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace Unetr.Tests.Distributed;

/// <summary>Several processes exchange MPI messages; running them beside other CPU-heavy tests would only slow both.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MpiCollection
{
    public const string Name = "MPI runs";
}

/// <summary>
/// <c>unetr train --distributed</c> under <c>mpirun</c>: data-parallel ranks take the steps one process takes on the
/// whole batch, resume on another rank count, and end together when a rank dies.
/// </summary>
/// <remarks>
/// The runs use the recipe's learning rate 1e-4: AdamW divides each update by the gradient's magnitude, so an element
/// whose gradient is at the level of rounding moves by ±lr depending on the summation order (measured: 2e-3 apart after
/// 5 steps at lr 1e-3), which no reduction order can avoid.
/// </remarks>
[Collection(MpiCollection.Name)]
public sealed class DistributedTrainingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("unetr-mpi-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Two_ranks_with_half_batches_take_the_steps_of_one_process_with_the_whole_batch()
    {
        Train(ranks: 0, "single", steps: 5);
        var parallel = Train(ranks: 2, "parallel", steps: 5);

        Assert.Contains("data-parallel on 2 MPI ranks", parallel);
        Assert.Contains("with 1 volumes of every batch each", parallel);
        var (difference, where) = MpiRun.LargestDifference(MpiRun.Parameters(Best("single")), MpiRun.Parameters(Best("parallel")), 1e-5);
        Assert.True(difference <= 1e-5, $"parameters differ by up to {difference:G3} after 5 steps ({where})");
        var expectedLosses = MpiRun.Losses(Folder("single"));
        var losses = MpiRun.Losses(Folder("parallel"));
        Assert.Equal(5, expectedLosses.Length);
        Assert.Equal(expectedLosses.Length, losses.Length);
        for (var step = 0; step < losses.Length; step++)
        {
            Assert.True(Math.Abs(expectedLosses[step] - losses[step]) <= 1e-5, $"step {step + 1}: loss {losses[step]} on 2 ranks, {expectedLosses[step]} in one process");
        }
    }

    [Fact]
    public void A_run_stopped_in_one_process_resumes_on_two_ranks_along_the_same_trajectory()
    {
        Train(ranks: 0, "reference", ResumedSteps);
        using (var first = new WatchedRun(MpiRun.Start(0, Arguments(ranks: 0, "resumed", ResumedSteps)), $"validation at step {ResumedSteps / 3}"))
        {
            first.WaitForLine();
            first.Process.Kill(entireProcessTree: true);
            first.Process.WaitForExit();
        }

        var resumed = Train(ranks: 2, "resumed", ResumedSteps, "--resume", Path.Combine(Folder("resumed"), "last.ckpt"));

        AssertResumedBeforeTheEnd(resumed);
        AssertSameFinalWeights("reference", "resumed");
    }

    [Fact]
    public void Killing_one_rank_ends_the_run_naming_that_rank_and_leaves_a_checkpoint_one_process_resumes()
    {
        Train(ranks: 0, "reference", ResumedSteps);
        int exitCode;
        string printed;
        using (var run = new WatchedRun(MpiRun.Start(2, Arguments(ranks: 2, "killed", ResumedSteps)), $"validation at step {ResumedSteps / 3}"))
        {
            run.WaitForLine();
            Process.GetProcessById(run.RankProcess(1)).Kill();
            Assert.True(run.Process.WaitForExit(TimeSpan.FromSeconds(60)), $"mpirun ended within 60 s of the kill:\n{run.Printed}");
            run.Process.WaitForExit();
            exitCode = run.Process.ExitCode;
            printed = run.Printed;
        }

        Assert.NotEqual(0, exitCode);
        Assert.Matches(new Regex("process rank 1 .*exited on signal 9"), printed);
        var checkpoint = Path.Combine(Folder("killed"), "last.ckpt");
        var resumed = Train(ranks: 0, "killed", ResumedSteps, "--resume", checkpoint);
        AssertResumedBeforeTheEnd(resumed);
        AssertSameFinalWeights("reference", "killed");
    }

    [Fact]
    public void Distributed_outside_an_MPI_launcher_is_refused_in_one_line_that_says_how_to_launch()
    {
        var (exitCode, output, error) = MpiRun.Run(MpiRun.Start(0, Arguments(ranks: 1, "outside", 2)));

        Assert.Equal(2, exitCode);
        Assert.DoesNotContain("Training", output);
        var line = Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("mpirun -np 2 unetr train --distributed", line);
        Assert.False(Directory.Exists(Folder("outside")));
    }

    [Fact]
    public void A_missing_MPI_library_is_refused_in_one_line_that_says_what_to_install()
    {
        var start = MpiRun.Start(0, Arguments(ranks: 1, "no-library", 2));
        start.Environment["OMPI_COMM_WORLD_SIZE"] = "1";
        start.Environment["UNETR_MPI_LIBRARY"] = Path.Combine(_directory, "libmpi.so.40");

        var (exitCode, _, error) = MpiRun.Run(start);

        Assert.Equal(2, exitCode);
        var line = Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("apt-get install openmpi-bin", line);
    }

    [Fact]
    public void A_batch_that_does_not_split_evenly_across_the_ranks_is_refused()
    {
        var (exitCode, _, error) = MpiRun.Run(MpiRun.Start(2, Arguments(ranks: 2, "uneven", 2, batchSize: 3)));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("--batch-size 3 does not split evenly across 2 ranks; use a multiple of 2", error);
        Assert.False(File.Exists(Path.Combine(Folder("uneven"), "last.ckpt")));
    }

    private const int ResumedSteps = 12;

    private void AssertSameFinalWeights(string expected, string actual)
    {
        var (expectedParameters, expectedStep) = MpiRun.CheckpointParameters(Path.Combine(Folder(expected), "last.ckpt"));
        var (parameters, step) = MpiRun.CheckpointParameters(Path.Combine(Folder(actual), "last.ckpt"));
        Assert.Equal(ResumedSteps, expectedStep);
        Assert.Equal(ResumedSteps, step);
        var (difference, where) = MpiRun.LargestDifference(expectedParameters, parameters, 5e-5);
        Assert.True(difference <= 5e-5, $"parameters differ by up to {difference:G3} after {ResumedSteps} steps ({where})");
    }

    private static void AssertResumedBeforeTheEnd(string output)
    {
        var match = Regex.Match(output, @"Resumed from .* at step (\d+)\.");
        Assert.True(match.Success, output);
        var step = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(step, 1, ResumedSteps - 1);
    }

    private string Folder(string name) => Path.Combine(_directory, name);

    private string Best(string name) => Path.Combine(Folder(name), "best.pt");

    // Validates every third of the run, so that a stopped run leaves a checkpoint before the end.
    private string[] Arguments(int ranks, string name, int steps, int batchSize = 2) => new[]
    {
        "train", "--steps", Text(steps), "--warmup", "1", "--batch-size", Text(batchSize), "--lr", "1e-4", "--validate-every", Text(Math.Max(1, steps / 3)),
        "--train-volumes", "4", "--validation-volumes", "2", "--test-volumes", "2", "--log-every", "1", "--threads", "1", "--output", Folder(name),
    }.Concat(ranks == 0 ? Array.Empty<string>() : new[] { "--distributed" }).ToArray();

    private string Train(int ranks, string name, int steps, params string[] more)
    {
        var (exitCode, output, error) = MpiRun.Run(MpiRun.Start(ranks, Arguments(ranks, name, steps).Concat(more).ToArray()));
        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{error}");
        return output;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
