using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using Unetr.Tests.Generator;
using Unetr.Tests.Packaging;
using Xunit;
using Xunit.Abstractions;

namespace Unetr.Tests.Cluster;

/// <summary>
/// The Slurm path of <c>ablate</c> on a real Slurm: a user's host (<c>samples/MyUnetrTool</c>) plans the ablation of its
/// sweep, <c>sbatch</c> runs the script as a job array on a single-node cluster started for these tests, and the report
/// merges what the array tasks wrote. The tests share one cluster (<see cref="Cluster"/>) and run one after the other.
/// </summary>
[Collection(DotnetBuildCollection.Name)]
public sealed class SlurmAblationTests(ITestOutputHelper output, SlurmAblationTests.Cluster cluster) : IClassFixture<SlurmAblationTests.Cluster>
{
    private const string Project = "samples/MyUnetrTool";
    private static readonly string[] Variants = { "ResidualFalse", "Depth6" };

    [Fact]
    public void An_ablation_planned_for_slurm_runs_as_a_job_array_on_a_single_node_cluster_and_the_report_has_every_network()
    {
        var clock = Stopwatch.StartNew();
        var dotnet = new DotnetProcess(output);
        var repository = RepositoryFiles.PathOf();
        var folder = Directory.CreateTempSubdirectory("unetr-slurm-ablation-");
        try
        {
            var slurm = cluster.Slurm;
            output.WriteLine(cluster.Describe());

            // The sample's baseline and its two sweep variants, 2 seeds each, 2 steps: 6 training and 3 measuring tasks.
            var planned = dotnet.Run(
                $"run -c {DotnetProcess.BuildConfiguration} --project {Project} -- ablate plan --baseline SmallPatchUnetr --seeds 2 --rounds 1 --steps 2 --train-volumes 2 --held-out-volumes 1 --cpus-per-task 1 --output {folder.FullName}",
                repository);
            Assert.Contains("Planned 9 jobs (3 networks × 2 seeds, then 1 measurement rounds)", planned, StringComparison.Ordinal);

            var job = slurm.Submit(Path.Combine(folder.FullName, "ablate.sbatch"));
            var tasks = slurm.WaitFor(job, TimeSpan.FromMinutes(10));
            output.WriteLine(tasks);

            // Every array task ran under Slurm (its log is Slurm's job-<index>.out) and completed.
            AssertCompleted(slurm, tasks, 9, folder);
            Assert.All(Enumerable.Range(0, 9), index => Assert.True(File.Exists(Path.Combine(folder.FullName, "logs", $"job-{index}.out")), $"no Slurm log of task {index}"));

            var report = dotnet.Run($"run -c {DotnetProcess.BuildConfiguration} --no-build --project {Project} -- ablate report --output {folder.FullName}", repository);

            Assert.DoesNotContain("Not finished", report, StringComparison.Ordinal);
            var markdown = File.ReadAllText(Path.Combine(folder.FullName, "ablation.md"));
            Assert.Contains("| jobs | 9 of 9 finished |", markdown, StringComparison.Ordinal);
            Assert.Matches(@"\| SmallPatchUnetr \| baseline \| [\d.]+ \| [\d.]+ \| 2 \| [\d.]+ ± [\d.]+ \| baseline \|", markdown);
            Assert.Matches(@"\| ResidualFalse \| Residual=false \| [\d.]+ \| [\d.]+ \| 2 \| [\d.]+ ± [\d.]+ \| [+-][\d.]+ \[[+-][\d.]+, [+-][\d.]+\] \| (yes|no) \|", markdown);
            Assert.Matches(@"\| Depth6 \| Depth=6 \| [\d.]+ \| [\d.]+ \| 2 \| [\d.]+ ± [\d.]+ \| [+-][\d.]+ \[[+-][\d.]+, [+-][\d.]+\] \| (yes|no) \|", markdown);
            Assert.All(Variants, network => Assert.Matches($@"{network} − SmallPatchUnetr: [+-][\d.]+ Dice, 95 % interval \[[+-][\d.]+, [+-][\d.]+\] over 2 seeds", report));
        }
        finally
        {
            folder.Delete(recursive: true);
            output.WriteLine($"Slurm ablation test: {clock.Elapsed.TotalSeconds:0} s (with starting the cluster if this test was the first to ask for it).");
        }
    }

    [Fact]
    public void An_ablation_planned_with_two_ranks_per_job_trains_each_job_on_two_srun_tasks_wired_by_pmix()
    {
        var clock = Stopwatch.StartNew();
        var dotnet = new DotnetProcess(output);
        var repository = RepositoryFiles.PathOf();
        var folder = Directory.CreateTempSubdirectory("unetr-slurm-ranks-");
        try
        {
            var slurm = cluster.Slurm;
            output.WriteLine(cluster.Describe());
            slurm.RequirePmix(tasks: 2);

            // The baseline and one variant, 2 seeds, 2 steps of a batch of 2 split over 2 ranks: 4 training tasks that each
            // srun two ranks, then 2 measuring tasks of one process.
            var planned = dotnet.Run(
                $"run -c {DotnetProcess.BuildConfiguration} --project {Project} -- ablate plan --models SmallPatchUnetr,SmallPatchUnetr.ResidualFalse --seeds 2 --rounds 1 --steps 2 --batch-size 2 --ranks-per-job 2 --train-volumes 2 --held-out-volumes 1 --cpus-per-task 1 --output {folder.FullName}",
                repository);
            Assert.Contains("Planned 6 jobs (2 networks × 2 seeds, then 1 measurement rounds; every training job on 2 MPI ranks)", planned, StringComparison.Ordinal);

            var job = slurm.Submit(Path.Combine(folder.FullName, "ablate.sbatch"));
            var tasks = slurm.WaitFor(job, TimeSpan.FromMinutes(10));
            output.WriteLine(tasks);
            AssertCompleted(slurm, tasks, 6, folder);

            // Each result records the ranks its training split the batch over, as DistributedRun found them from srun.
            var ranks = Directory.GetFiles(Path.Combine(folder.FullName, "results"), "*.json")
                .Select(path => (Name: Path.GetFileNameWithoutExtension(path), Ranks: RanksIn(path)))
                .OrderBy(result => result.Name, StringComparer.Ordinal)
                .ToArray();
            var training = ranks.Where(result => result.Name.StartsWith("train-", StringComparison.Ordinal)).ToArray();
            Assert.True(
                training.Length == 4 && training.All(result => result.Ranks == 2),
                $"Every training result should say Ranks 2: {string.Join(", ", ranks.Select(r => $"{r.Name} {r.Ranks}"))}.\n{Log(folder, 0)}");
            Assert.True(
                ranks.Length == 6 && ranks.Except(training).All(result => result.Ranks == 1),
                $"Both measurement results should say Ranks 1: {string.Join(", ", ranks.Select(r => $"{r.Name} {r.Ranks}"))}.");
            Assert.Contains("2 MPI ranks × 1 threads", Log(folder, 0), StringComparison.Ordinal);

            var report = dotnet.Run($"run -c {DotnetProcess.BuildConfiguration} --no-build --project {Project} -- ablate report --output {folder.FullName}", repository);

            Assert.DoesNotContain("Not finished", report, StringComparison.Ordinal);
            var markdown = File.ReadAllText(Path.Combine(folder.FullName, "ablation.md"));
            Assert.Contains("| jobs | 6 of 6 finished |", markdown, StringComparison.Ordinal);
            Assert.Matches(@"\| SmallPatchUnetr \| baseline \| [\d.]+ \| [\d.]+ \| 2 \| [\d.]+ ± [\d.]+ \| baseline \|", markdown);
            Assert.Matches(@"\| ResidualFalse \| Residual=false \| [\d.]+ \| [\d.]+ \| 2 \| [\d.]+ ± [\d.]+ \| [+-][\d.]+ \[[+-][\d.]+, [+-][\d.]+\] \| (yes|no) \|", markdown);
            Assert.Matches(@"ResidualFalse − SmallPatchUnetr: [+-][\d.]+ Dice, 95 % interval \[[+-][\d.]+, [+-][\d.]+\] over 2 seeds", report);
        }
        finally
        {
            folder.Delete(recursive: true);
            output.WriteLine($"Slurm ablation test with 2 ranks per job: {clock.Elapsed.TotalSeconds:0} s (with starting the cluster if this test was the first to ask for it).");
        }
    }

    /// <summary>Asserts that <paramref name="count"/> array tasks completed; else the message has their states, the logs of those that did not, and the daemons' logs.</summary>
    private static void AssertCompleted(SingleNodeSlurm slurm, string tasks, int count, DirectoryInfo folder)
    {
        var states = Regex.Matches(tasks, @"ArrayTaskId=(\d+).*?JobState=(\S+)", RegexOptions.Singleline)
            .Select(m => (Index: int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), State: m.Groups[2].Value))
            .OrderBy(task => task.Index)
            .ToArray();
        if (states.Length != count || states.Any(task => task.State != "COMPLETED"))
        {
            var logs = states.Where(task => task.State != "COMPLETED").Select(task => $"\n--- task {task.Index} ({task.State}) ---\n{Log(folder, task.Index)}");
            Assert.Fail($"The {count} array tasks did not all complete: {string.Join(", ", states.Select(task => $"{task.Index} {task.State}"))}.{string.Concat(logs)}\n{tasks}{slurm.Logs()}");
        }
    }

    private static int RanksIn(string resultFile)
    {
        using var result = JsonDocument.Parse(File.ReadAllText(resultFile));
        return result.RootElement.GetProperty("Ranks").GetInt32();
    }

    private static string Log(DirectoryInfo folder, int index) =>
        string.Join('\n', new[] { "out", "err" }.Select(kind => Path.Combine(folder.FullName, "logs", $"job-{index}.{kind}")).Where(File.Exists).Select(File.ReadAllText));

    /// <summary>
    /// The single-node Slurm both tests submit to, started by the first test that asks for it and stopped after the last
    /// test of the class; a failure to start is the failure of every test that asks.
    /// </summary>
    public sealed class Cluster : IDisposable
    {
        private readonly Lazy<(SingleNodeSlurm Slurm, TimeSpan Startup)> _slurm = new(() =>
        {
            var clock = Stopwatch.StartNew();
            var slurm = SingleNodeSlurm.Start();
            return (slurm, clock.Elapsed);
        }, LazyThreadSafetyMode.ExecutionAndPublication);

        internal SingleNodeSlurm Slurm => _slurm.Value.Slurm;

        /// <summary>The node and how long the cluster took to come up, for a test's output.</summary>
        public string Describe() => $"Single-node Slurm on {Slurm.Node}, up after {_slurm.Value.Startup.TotalSeconds:0.0} s.";

        public void Dispose()
        {
            if (_slurm.IsValueCreated)
            {
                _slurm.Value.Slurm.Dispose();
            }
        }
    }
}
