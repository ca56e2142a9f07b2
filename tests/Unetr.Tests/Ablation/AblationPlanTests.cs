using System;
using System.IO;
using System.Linq;
using Unetr.CommandLine;
using Unetr.CommandLine.Ablation;
using Unetr.Measurement.Ablation;
using Xunit;

namespace Unetr.Tests.Ablation;

public sealed class AblationPlanTests : IDisposable
{
    private static readonly AblationPlannedVariant[] Variants =
    {
        new("Base", "baseline", 1000, 2_000_000),
        new("Deep", "Encoder.Depth=6", 1500, 3_000_000),
        new("Wide", "Encoder.EmbedDim=64", 2500, 5_000_000),
    };

    private readonly string _directory = Directory.CreateTempSubdirectory("unetr-ablation-plan-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    internal static AblationPlan Plan(int seeds = 2, int rounds = 2, AblationSettings? settings = null) =>
        AblationPlan.Create(new[] { "/opt/my tool/bin/dotnet", "/opt/my tool/MyTool.dll" }, Variants, settings ?? AblationSettings.Quick, Enumerable.Range(0, seeds).Select(k => 7L + k).ToArray(), rounds, null, 2);

    [Fact]
    public void Jobs_are_every_variant_for_every_seed_then_measurement_rounds_in_rotated_order()
    {
        var plan = Plan();

        Assert.Equal(12, plan.Jobs.Count);
        Assert.Equal(Enumerable.Range(0, 12), plan.Jobs.Select(j => j.Index));
        Assert.Equal(
            new[] { "Base/7", "Deep/7", "Wide/7", "Base/8", "Deep/8", "Wide/8" },
            plan.Jobs.Take(6).Select(j => $"{j.Variant}/{j.Seed}"));
        Assert.All(plan.Jobs.Take(6), j => Assert.Equal(AblationJobKind.Train, j.Kind));
        Assert.Equal(
            new[] { "Base/0", "Deep/0", "Wide/0", "Deep/1", "Wide/1", "Base/1" },
            plan.Jobs.Skip(6).Select(j => $"{j.Variant}/{j.Round}"));
        Assert.All(plan.Jobs.Skip(6), j => Assert.Equal(AblationJobKind.Measure, j.Kind));
        Assert.Equal("Base", plan.Baseline);
        Assert.Equal("train-Deep-seed8.json", plan.Jobs[4].ResultFile);
        Assert.Equal("measure-Base-round1.json", plan.Jobs[11].ResultFile);
    }

    [Fact]
    public void A_saved_plan_loads_back_and_differs_only_where_the_measurement_would()
    {
        var plan = Plan();
        plan.Save(_directory);

        var loaded = AblationPlan.Load(_directory);

        Assert.Equal(plan.Jobs, loaded.Jobs);
        Assert.Equal(plan.Seeds, loaded.Seeds);
        Assert.Equal(plan.Settings, loaded.Settings);
        Assert.True(Directory.Exists(Path.Combine(_directory, "results")));
        Assert.Null(plan.Difference(loaded with { Threads = 8, Host = new[] { "elsewhere" } }));
        Assert.Equal("seeds (7,8 here, 7,8,9 requested)", plan.Difference(Plan(seeds: 3)));
        Assert.Equal("settings (Steps: 100 here, 1000 requested)", plan.Difference(Plan(settings: AblationSettings.Quick with { Steps = 1000 })));
        Assert.Equal("measurement rounds (2 here, 3 requested)", plan.Difference(Plan(rounds: 3)));
    }

    [Fact]
    public void A_missing_or_foreign_plan_is_refused_with_what_to_do()
    {
        var missing = Assert.Throws<UsageException>(() => AblationPlan.Load(_directory));
        Assert.Contains("No ablation plan at", missing.Message, StringComparison.Ordinal);
        Assert.Contains("ablate plan --output", missing.Message, StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(_directory, "plan.json"), "{ \"Version\": 1, ");
        Assert.Contains("is not a valid ablation plan", Assert.Throws<UsageException>(() => AblationPlan.Load(_directory)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sbatch_script_is_an_array_over_every_job_with_the_resources_asked_for()
    {
        var plan = Plan();

        var script = SlurmScript.Create(plan, "/shared/ablation", new SlurmResources("short", "01:30:00", 4, "6G"));
        var lines = script.Split('\n');

        Assert.Equal("#!/bin/bash", lines[0]);
        Assert.Contains("#SBATCH --array=0-11", lines);
        Assert.Contains("#SBATCH --cpus-per-task=4", lines);
        Assert.Contains("#SBATCH --partition=short", lines);
        Assert.Contains("#SBATCH --time=01:30:00", lines);
        Assert.Contains("#SBATCH --mem=6G", lines);
        Assert.Contains("#SBATCH --chdir=/shared/ablation", lines);
        Assert.Contains("#SBATCH --output=/shared/ablation/logs/job-%a.out", lines);
        Assert.Contains("#SBATCH --error=/shared/ablation/logs/job-%a.err", lines);
        Assert.Contains("threads=\"${SLURM_CPUS_PER_TASK:-4}\"", lines);
        Assert.Equal(
            "exec '/opt/my tool/bin/dotnet' '/opt/my tool/MyTool.dll' ablate job --output '/shared/ablation' --index \"$SLURM_ARRAY_TASK_ID\" --threads \"$threads\"",
            lines.Single(l => l.StartsWith("exec ", StringComparison.Ordinal)));

        var minimal = SlurmScript.Create(plan, "/shared/ablation", new SlurmResources(null, null, 1, null));
        Assert.DoesNotContain("--partition", minimal, StringComparison.Ordinal);
        Assert.DoesNotContain("--mem", minimal, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => SlurmScript.Create(plan, "relative/dir", new SlurmResources(null, null, 1, null)));
    }

    [Fact]
    public void Sbatch_script_for_two_ranks_per_job_asks_for_two_tasks_and_starts_training_jobs_with_srun_pmix()
    {
        var plan = Plan() with { RanksPerJob = 2 };

        var lines = SlurmScript.Create(plan, "/shared/ablation", new SlurmResources(null, null, 4, null)).Split('\n');

        Assert.Contains("#SBATCH --ntasks=2", lines);
        Assert.Contains("#SBATCH --cpus-per-task=4", lines);
        Assert.Contains("#SBATCH --array=0-11", lines);
        var branch = Array.IndexOf(lines, "if (( SLURM_ARRAY_TASK_ID < 6 )); then");
        Assert.True(branch > 0, string.Join("\n", lines));
        Assert.Equal(
            "  exec srun --mpi=pmix --kill-on-bad-exit=1 --ntasks=2 --cpus-per-task=\"$threads\" '/opt/my tool/bin/dotnet' '/opt/my tool/MyTool.dll' ablate job --output '/shared/ablation' --index \"$SLURM_ARRAY_TASK_ID\" --threads \"$threads\" --distributed",
            lines[branch + 1]);
        Assert.Equal("fi", lines[branch + 2]);
        Assert.Equal(
            "exec '/opt/my tool/bin/dotnet' '/opt/my tool/MyTool.dll' ablate job --output '/shared/ablation' --index \"$SLURM_ARRAY_TASK_ID\" --threads \"$threads\"",
            lines[branch + 3]);

        var single = SlurmScript.Create(Plan(), "/shared/ablation", new SlurmResources(null, null, 4, null));
        Assert.DoesNotContain("srun", single, StringComparison.Ordinal);
        Assert.DoesNotContain("--distributed", single, StringComparison.Ordinal);
    }

    [Fact]
    public void Ranks_per_job_are_saved_with_the_plan_but_do_not_make_it_another_ablation()
    {
        var plan = Plan() with { RanksPerJob = 2 };
        plan.Save(_directory);

        var loaded = AblationPlan.Load(_directory);

        Assert.Equal(2, loaded.RanksPerJob);
        Assert.Contains("\"RanksPerJob\": 2", File.ReadAllText(AblationPlan.PathIn(_directory)), StringComparison.Ordinal);
        Assert.Null(Plan().Difference(loaded));
        Assert.Equal(1, Plan().RanksPerJob);
    }
}
