using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Unetr.CommandLine.Ablation;
using Unetr.Model.Presets;
using Unetr.Model.Training;
using Unetr.Tests.Training;
using Xunit;
using Xunit.Abstractions;

namespace Unetr.Tests.Ablation;

/// <summary>
/// <c>ablate</c> as a user runs it: a host process that starts itself again for every job. The host is this test
/// assembly (its entry point hands <c>ablate</c> to the command line over the tiny test networks) or the built
/// <c>unetr</c> tool (over the presets).
/// </summary>
public sealed class AblateEndToEndTests(ITestOutputHelper output) : IDisposable
{
    private static readonly string[] Tiny = TinyWith(seeds: 2);

    private static string[] TinyWith(int seeds) => new[]
    {
        "--quick", "--models", $"{nameof(TrainableTinyNet)},{nameof(OtherTinyNet)}", "--seeds", seeds.ToString(System.Globalization.CultureInfo.InvariantCulture), "--rounds", "1",
        "--steps", "2", "--train-volumes", "2", "--held-out-volumes", "1", "--seed", "11",
    };

    private readonly string _directory = Directory.CreateTempSubdirectory("unetr-ablate-e2e-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private (int ExitCode, string Output, string Error) Run(ProcessStartInfo start)
    {
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var printed = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(5)), "the ablation finished");
        output.WriteLine(printed);
        output.WriteLine(error.Result);
        return (process.ExitCode, printed, error.Result);
    }

    private (int ExitCode, string Output, string Error) Host(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Unetr.Tests.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Run(start);
    }

    [Fact]
    public void Quick_ablation_runs_every_job_in_its_own_process_reports_intervals_and_resumes_after_a_kill()
    {
        var (exitCode, printed, error) = Host(new[] { "ablate" }.Concat(Tiny).Concat(new[] { "--jobs", "2", "--threads", "2", "--output", _directory }).ToArray());

        Assert.True(exitCode == 0, error);
        Assert.Contains("0 of 6 jobs finished before, 6 to run", printed, StringComparison.Ordinal);
        Assert.Contains("Quick: 2 seeds and 1 measurement rounds", printed, StringComparison.Ordinal);
        Assert.Contains($"{nameof(OtherTinyNet)} − {nameof(TrainableTinyNet)}: ", printed, StringComparison.Ordinal);
        var results = AblationPlan.ResultsIn(_directory);
        Assert.Equal(
            new[] { "measure-OtherTinyNet-round0.json", "measure-TrainableTinyNet-round0.json", "train-OtherTinyNet-seed11.json", "train-OtherTinyNet-seed12.json", "train-TrainableTinyNet-seed11.json", "train-TrainableTinyNet-seed12.json" },
            Directory.GetFiles(results).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        // Every job ran in a child process of its own, with the threads split between the two at once.
        var plan = AblationPlan.Load(_directory);
        Assert.All(plan.Jobs, job => Assert.Contains($"{job}: ", File.ReadAllText(Path.Combine(_directory, "logs", $"job-{job.Index}.log")), StringComparison.Ordinal));
        Assert.All(plan.Jobs.Where(j => j.Kind == AblationJobKind.Train), job => Assert.Equal(1, AblationJobResult.Load(_directory, job)!.Threads));
        Assert.All(plan.Jobs.Where(j => j.Kind == AblationJobKind.Measure), job => Assert.Equal(2, AblationJobResult.Load(_directory, job)!.Threads));
        var markdown = File.ReadAllText(Path.Combine(_directory, "ablation.md"));
        Assert.Contains($"| {nameof(TrainableTinyNet)} | baseline | ", markdown, StringComparison.Ordinal);
        Assert.Matches($@"\| {nameof(OtherTinyNet)} \| — \| [\d.]+ \| [\d.]+ \| 2 \| [\d.]+ ± [\d.]+ \| [+-][\d.]+ \[[+-][\d.]+, [+-][\d.]+\] \| (yes|no) \|", markdown);
        Assert.Contains("| jobs | 6 of 6 finished |", markdown, StringComparison.Ordinal);
        Assert.True(new FileInfo(Path.Combine(_directory, "ablation.png")).Length > 1000);

        // A run killed mid-way: one training job never wrote its result and left a temporary behind. Rerun, only that
        // job runs again; the finished ones (one marked by a changed Dice) are kept as they are.
        var killed = plan.Jobs.Single(j => j.Kind == AblationJobKind.Train && j.Variant == nameof(OtherTinyNet) && j.Seed == 12);
        File.Delete(AblationJobResult.PathOf(_directory, killed));
        var stale = AblationJobResult.PathOf(_directory, killed) + ".0123456789abcdef0123456789abcdef" + AtomicFile.TemporarySuffix;
        File.WriteAllText(stale, "{ \"Job\": ");
        var kept = plan.Jobs[0];
        (AblationJobResult.Load(_directory, kept)! with { Dice = 0.5, Machine = "marked" }).Save(_directory);

        (exitCode, printed, error) = Host(new[] { "ablate" }.Concat(Tiny).Concat(new[] { "--output", _directory }).ToArray());

        Assert.True(exitCode == 0, error);
        Assert.Contains("Continuing the ablation planned in", printed, StringComparison.Ordinal);
        Assert.Contains("5 of 6 jobs finished before, 1 to run", printed, StringComparison.Ordinal);
        Assert.Contains($"[6/6] {killed}: Dice ", printed, StringComparison.Ordinal);
        Assert.Equal("marked", AblationJobResult.Load(_directory, kept)!.Machine);
        Assert.NotNull(AblationJobResult.Load(_directory, killed));
        Assert.False(File.Exists(stale));

        // Other settings into the same folder would mix results: refused, naming the difference.
        (exitCode, _, error) = Host(new[] { "ablate" }.Concat(TinyWith(seeds: 3)).Concat(new[] { "--output", _directory }).ToArray());
        Assert.Equal(2, exitCode);
        Assert.Contains("holds an ablation planned with other seeds (11,12 here, 11,12,13 requested)", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Planned_for_slurm_the_script_runs_tasks_by_array_index_and_the_report_names_the_unfinished()
    {
        var (exitCode, printed, error) = Host(new[] { "ablate", "plan" }.Concat(Tiny).Concat(new[] { "--cpus-per-task", "1", "--partition", "debug", "--output", _directory }).ToArray());
        Assert.True(exitCode == 0, error);
        Assert.Contains("Planned 6 jobs (2 networks × 2 seeds, then 1 measurement rounds)", printed, StringComparison.Ordinal);
        var script = Path.Combine(_directory, SlurmScript.FileName);
        Assert.Contains("#SBATCH --array=0-5", File.ReadAllText(script), StringComparison.Ordinal);
        Assert.Contains($"'{Path.Combine(AppContext.BaseDirectory, "Unetr.Tests.dll")}' ablate job", File.ReadAllText(script), StringComparison.Ordinal);

        // Three array tasks, run as Slurm would run the script (by bash, with the task id in the environment).
        foreach (var task in new[] { 0, 3, 4 })
        {
            var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(script);
            start.Environment["SLURM_ARRAY_TASK_ID"] = task.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var (code, _, taskError) = Run(start);
            Assert.True(code == 0, taskError);
        }

        (exitCode, printed, error) = Host("ablate", "report", "--output", _directory);

        Assert.True(exitCode == 0, error);
        Assert.Contains(
            "Not finished (3 of 6 jobs): job 1: train OtherTinyNet with seed 11; job 2: train TrainableTinyNet with seed 12; job 5: measure OtherTinyNet (round 1).",
            printed,
            StringComparison.Ordinal);
        var csv = File.ReadAllLines(Path.Combine(_directory, "ablation.csv"));
        Assert.StartsWith("TrainableTinyNet,baseline,", csv[1], StringComparison.Ordinal);
        Assert.Equal("1", csv[1].Split(',')[4]);
        Assert.Equal("1", csv[2].Split(',')[4]);
    }

    [Fact]
    public void The_unetr_tool_ablates_its_presets()
    {
        var (exitCode, printed, error) = Run(BuiltTool.Start(
            "unetr", "ablate", "--quick", "--models", nameof(TinyMonaiUnetr), "--seeds", "2", "--rounds", "1", "--steps", "2",
            "--train-volumes", "2", "--held-out-volumes", "1", "--output", _directory));

        Assert.True(exitCode == 0, error);
        Assert.Contains("[3/3] job 2: measure TinyMonaiUnetr (round 1): forward ", printed, StringComparison.Ordinal);
        Assert.Matches(@"\| TinyMonaiUnetr \| baseline \| 1\.40 \| [\d.]+ \| 2 \| [\d.]+ ± [\d.]+ \| baseline \|", File.ReadAllText(Path.Combine(_directory, "ablation.md")));
    }
}
