using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Unetr.Tests.Generator;
using Unetr.Tests.Packaging;
using Xunit;
using Xunit.Abstractions;

namespace Unetr.Tests.Cluster;

/// <summary>
/// The Slurm path of <c>ablate</c> on a real Slurm: a user's host (<c>samples/MyUnetrTool</c>) plans the ablation of its
/// sweep, <c>sbatch</c> runs the script as a job array on a single-node cluster started for the test, and the report
/// merges what the array tasks wrote.
/// </summary>
[Collection(DotnetBuildCollection.Name)]
public sealed class SlurmAblationTests(ITestOutputHelper output)
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
            using var slurm = SingleNodeSlurm.Start();
            output.WriteLine($"Single-node Slurm on {slurm.Node} up after {clock.Elapsed.TotalSeconds:0.0} s.");

            // The sample's baseline and its two sweep variants, 2 seeds each, 2 steps: 6 training and 3 measuring tasks.
            var planned = dotnet.Run(
                $"run -c {DotnetProcess.BuildConfiguration} --project {Project} -- ablate plan --baseline SmallPatchUnetr --seeds 2 --rounds 1 --steps 2 --train-volumes 2 --held-out-volumes 1 --cpus-per-task 1 --output {folder.FullName}",
                repository);
            Assert.Contains("Planned 9 jobs (3 networks × 2 seeds, then 1 measurement rounds)", planned, StringComparison.Ordinal);

            var job = slurm.Submit(Path.Combine(folder.FullName, "ablate.sbatch"));
            var tasks = slurm.WaitFor(job, TimeSpan.FromMinutes(10));
            output.WriteLine(tasks);

            // Every array task ran under Slurm (its log is Slurm's job-<index>.out) and completed.
            var states = Regex.Matches(tasks, @"JobState=(\S+)").Select(m => m.Groups[1].Value).ToArray();
            Assert.True(states.Length == 9 && states.All(s => s == "COMPLETED"), $"The 9 array tasks did not all complete: {string.Join(", ", states)}.\n{tasks}{slurm.Logs()}");
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
            output.WriteLine($"Slurm ablation test: {clock.Elapsed.TotalSeconds:0} s from starting the cluster to stopping it.");
        }
    }
}
