using System;
using System.IO;
using System.Linq;
using Unetr.CommandLine.Ablation;
using Unetr.Measurement.Ablation;
using Unetr.Model.Presets;
using Unetr.Tests.Training;
using Xunit;

namespace Unetr.Tests.Distributed;

/// <summary>
/// <c>ablate job --distributed</c> under <c>mpirun</c>, with this test assembly as the host (as a user's own project
/// would be): a training job over 2 ranks with half batches scores what one process with whole batches scores.
/// </summary>
/// <remarks>
/// The network is <see cref="OtherTinyNet"/> (no dropout, so that every rank's forward is the single process's on its
/// half of the batch) at the recipe's learning rate 1e-4, for the reason DistributedTrainingTests gives.
/// </remarks>
[Collection(MpiCollection.Name)]
public sealed class AblateJobOverRanksTests : IDisposable
{
    private static readonly AblationSettings Settings = AblationSettings.Quick with
    {
        Steps = 5,
        BatchSize = 2,
        WarmupSteps = 1,
        LearningRate = 1e-4,
        TrainVolumes = 4,
        HeldOutVolumes = 2,
        ForwardRepeats = 1,
        TrainStepRepeats = 1,
        Seed = 5,
    };

    private readonly string _directory = Directory.CreateTempSubdirectory("unetr-ablate-mpi-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string Host => Path.Combine(AppContext.BaseDirectory, "Unetr.Tests.dll");

    [Fact]
    public void A_training_job_on_two_ranks_with_half_batches_scores_what_one_process_scores_and_writes_one_result()
    {
        var single = Plan("single");
        var parallel = Plan("parallel");

        var (exitCode, _, error) = Job(0, single, "--index", "0");
        Assert.True(exitCode == 0, error);
        (exitCode, var printed, error) = Job(2, parallel, "--index", "0", "--distributed");
        Assert.True(exitCode == 0, $"{printed}\n{error}");

        // Rank 1 prints nothing: the job's line appears once (after the terminal codes mpirun may put before it).
        Assert.Single(printed.Split('\n'), line => line.Contains("job 0: train OtherTinyNet with seed 5: Dice", StringComparison.Ordinal));
        Assert.Contains("2 MPI ranks × 1 threads", printed, StringComparison.Ordinal);
        var job = AblationPlan.Load(single).Jobs[0];
        var expected = AblationJobResult.Load(single, job)!;
        var actual = AblationJobResult.Load(parallel, job)!;
        // Ranks as the trainer split the batch: 2 only if every rank trained on half of it.
        Assert.Equal((1, 2), (expected.Ranks, actual.Ranks));

        // After 5 steps the parameters of `train` on 2 ranks agree with one process's within 1e-5 (DistributedTrainingTests);
        // the loss is a mean over the same voxels, so it agrees at that level too. Dice counts voxels: it moves only if a
        // voxel's two largest logits lie within about 1e-5 of each other, so it is expected to agree to rounding.
        Assert.True(Math.Abs(expected.FinalLoss!.Value - actual.FinalLoss!.Value) <= 1e-5, $"final loss {actual.FinalLoss} on 2 ranks, {expected.FinalLoss} in one process");
        Assert.True(Math.Abs(expected.Dice!.Value - actual.Dice!.Value) <= 1e-6, $"held-out Dice {actual.Dice} on 2 ranks, {expected.Dice} in one process");
        Assert.Equal(expected.ClassDice!.Count, actual.ClassDice!.Count);
        Assert.All(expected.ClassDice.Zip(actual.ClassDice), pair => Assert.True(Math.Abs(pair.First - pair.Second) <= 1e-6, $"class Dice {pair.Second} on 2 ranks, {pair.First} in one process"));

        // One result file and nothing left behind (no temporary of either rank).
        Assert.Equal(
            new[] { "plan.json", Path.Combine("results", job.ResultFile) },
            Directory.GetFiles(parallel, "*", SearchOption.AllDirectories).Select(path => Path.GetRelativePath(parallel, path)).Order(StringComparer.Ordinal));

        // Run again, the finished job is skipped by every rank.
        var written = File.ReadAllText(AblationJobResult.PathOf(parallel, job));
        (exitCode, printed, error) = Job(2, parallel, "--index", "0", "--distributed");
        Assert.True(exitCode == 0, error);
        Assert.Single(printed.Split('\n'), line => line.Contains("job 0: train OtherTinyNet with seed 5 has finished already", StringComparison.Ordinal));
        Assert.Equal(written, File.ReadAllText(AblationJobResult.PathOf(parallel, job)));
    }

    [Fact]
    public void A_plan_whose_batch_does_not_split_across_the_ranks_is_refused_and_writes_nothing()
    {
        var folder = Plan("uneven", Settings with { BatchSize = 3 });

        var (exitCode, _, error) = Job(2, folder, "--index", "0", "--distributed");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("plans batches of 3 volumes, which do not split evenly across 2 ranks; start a number of ranks that divides 3", error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(AblationPlan.ResultsIn(folder)));
    }

    [Fact]
    public void A_measurement_job_or_a_distributed_job_outside_a_launcher_is_refused_in_one_line()
    {
        var folder = Plan("refused");

        var (exitCode, _, error) = Job(0, folder, "--index", "1", "--distributed");
        Assert.Equal(2, exitCode);
        var line = Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("job 1: measure OtherTinyNet (round 1) times one process; run it without --distributed", line, StringComparison.Ordinal);

        (exitCode, _, error) = Job(0, folder, "--index", "0", "--distributed");
        Assert.Equal(2, exitCode);
        line = Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("under an MPI launcher", line, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(AblationPlan.ResultsIn(folder)));
    }

    private string Plan(string name, AblationSettings? settings = null)
    {
        var folder = Path.Combine(_directory, name);
        var network = Preset.Of<OtherTinyNet>();
        var variant = new AblationPlannedVariant(network.Name, "baseline", network.Summary.Parameters, network.Summary.MultiplyAccumulates);
        AblationPlan.Create(new[] { "dotnet", Host }, new[] { variant }, settings ?? Settings, new[] { 5L }, 1, null, 1).Save(folder);
        return folder;
    }

    private static (int ExitCode, string Output, string Error) Job(int ranks, string folder, params string[] options) =>
        MpiRun.Run(MpiRun.StartHost(ranks, Host, new[] { "ablate", "job", "--output", folder, "--threads", "1" }.Concat(options).ToArray()));
}
