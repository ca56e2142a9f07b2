using System;
using System.IO;
using System.Linq;
using Unetr.CommandLine;
using Unetr.CommandLine.Ablation;
using Unetr.Measurement.Ablation;
using Unetr.Model.Presets;
using Unetr.Tests.Cli;
using Unetr.Tests.Training;
using Xunit;

namespace Unetr.Tests.Ablation;

// `ablate job` trains in this process: it sets libtorch's thread count and seeds its generator, so it runs with the training tests, alone.
[Collection(TrainingCollection.Name)]
public sealed class AblateJobTests : IDisposable
{
    internal static readonly AblationSettings Tiny = AblationSettings.Quick with
    {
        Steps = 2,
        BatchSize = 1,
        WarmupSteps = 0,
        TrainVolumes = 2,
        HeldOutVolumes = 1,
        ForwardRepeats = 1,
        TrainStepRepeats = 1,
        Seed = 5,
    };

    private readonly string _directory = Directory.CreateTempSubdirectory("unetr-ablate-job-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private AblationPlan SavePlan()
    {
        var variants = new[] { Preset.Of<TrainableTinyNet>(), Preset.Of<OtherTinyNet>() }
            .Select((p, i) => new AblationPlannedVariant(p.Name, i == 0 ? "baseline" : "MONAI layout", p.Summary.Parameters, p.Summary.MultiplyAccumulates))
            .ToArray();
        var plan = AblationPlan.Create(new[] { "unused" }, variants, Tiny, new[] { 5L, 6L }, 1, null, 1);
        plan.Save(_directory);
        return plan;
    }

    private int Job(params string[] options) =>
        UnetrCommandLine.Run(new[] { "ablate", "job", "--output", _directory }.Concat(options).ToArray(), typeof(TrainableTinyNet).Assembly);

    [Fact]
    public void Job_by_index_trains_that_variant_with_that_seed_and_writes_its_result()
    {
        var plan = SavePlan();

        Assert.Equal(0, Job("--index", "3", "--threads", "1"));

        var result = AblationJobResult.Load(_directory, plan.Jobs[3])!;
        Assert.Equal((AblationJobKind.Train, nameof(OtherTinyNet), 6L), (result.Job.Kind, result.Job.Variant, result.Job.Seed));
        Assert.InRange(result.Dice!.Value, 0, 1);
        Assert.Equal(2, result.ClassDice!.Count);
        Assert.Equal(1, result.Threads);
        Assert.Single(Directory.GetFiles(AblationPlan.ResultsIn(_directory)));
    }

    [Fact]
    public void Job_without_index_takes_the_slurm_array_task_id_and_measures()
    {
        var plan = SavePlan();
        var before = Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_ID");
        try
        {
            Environment.SetEnvironmentVariable("SLURM_ARRAY_TASK_ID", "5");
            Assert.Equal(0, Job());
            Environment.SetEnvironmentVariable("SLURM_ARRAY_TASK_ID", null);
            Assert.Equal(2, Job());
        }
        finally
        {
            Environment.SetEnvironmentVariable("SLURM_ARRAY_TASK_ID", before);
        }

        var result = AblationJobResult.Load(_directory, plan.Jobs[5])!;
        Assert.Equal((AblationJobKind.Measure, nameof(OtherTinyNet)), (result.Job.Kind, result.Job.Variant));
        Assert.True(result.ForwardSeconds > 0 && result.TrainStepSeconds > 0);
        Assert.Null(result.Dice);
    }

    [Fact]
    public void A_finished_job_is_skipped_and_an_index_out_of_range_refused()
    {
        var plan = SavePlan();
        var planted = new AblationJobResult(plan.Jobs[0], 0.123, new[] { 0.1, 0.146 }, 1.0, 1.0, null, null, null, 1, "earlier");
        var path = planted.Save(_directory);

        Assert.Equal(0, Job("--index", "0"));
        Assert.Equal(2, Job("--index", "6"));

        Assert.Equal(0.123, AblationJobResult.Load(_directory, plan.Jobs[0])!.Dice);
        Assert.Equal("earlier", AblationJobResult.Load(_directory, plan.Jobs[0])!.Machine);
        Assert.True(File.Exists(path));
    }

    private static readonly Preset[] TinyNets = { Preset.Of<TrainableTinyNet>(), Preset.Of<OtherTinyNet>() };

    private string[] PlanArguments(string verb, params string[] more) =>
        new[] { "ablate", verb, "--models", $"{nameof(TrainableTinyNet)},{nameof(OtherTinyNet)}", "--quick", "--seeds", "2", "--rounds", "1", "--steps", "2", "--output", Path.Combine(_directory, "abl") }
            .Concat(more).Where(a => a.Length > 0).ToArray();

    [Fact]
    public void Plan_with_ranks_per_job_records_them_and_writes_a_script_that_starts_the_training_jobs_over_them()
    {
        var run = CliRun.With(TinyNets, PlanArguments("plan", "--ranks-per-job", "2", "--cpus-per-task", "3"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("every training job on 2 MPI ranks", run.Output, StringComparison.Ordinal);
        var folder = Path.Combine(_directory, "abl");
        Assert.Equal(2, AblationPlan.Load(folder).RanksPerJob);
        var script = File.ReadAllLines(Path.Combine(folder, SlurmScript.FileName));
        Assert.Contains("#SBATCH --ntasks=2", script);
        Assert.Contains("#SBATCH --cpus-per-task=3", script);
        Assert.Contains("if (( SLURM_ARRAY_TASK_ID < 4 )); then", script);
        Assert.Single(script, line => line.StartsWith("  exec srun --mpi=pmix --kill-on-bad-exit=1 --ntasks=2 --cpus-per-task=\"$threads\" ", StringComparison.Ordinal) && line.EndsWith(" --distributed", StringComparison.Ordinal));
    }

    [Fact]
    public void Ranks_per_job_that_do_not_split_the_batch_or_ranks_in_the_local_runner_are_refused_before_anything_is_written()
    {
        var uneven = CliRun.With(TinyNets, PlanArguments("plan", "--ranks-per-job", "3"));
        Assert.Equal(2, uneven.ExitCode);
        Assert.Equal(
            "--ranks-per-job 3 does not split the batch of 2 volumes evenly; give a --batch-size that is a multiple of 3 (every rank takes batch / ranks volumes of each step).",
            uneven.Error.Trim());

        var local = CliRun.With(TinyNets, PlanArguments(string.Empty, "--ranks-per-job", "2"));
        Assert.Equal(2, local.ExitCode);
        var line = Assert.Single(local.Error.Trim().Split('\n'));
        Assert.Contains("--ranks-per-job 2 is refused here; write the plan and a Slurm script with `ablate plan --ranks-per-job 2`", line, StringComparison.Ordinal);
        Assert.Contains("mpirun -np 2 <this host> ablate job --distributed", line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_directory, "abl")));

        var divisible = CliRun.With(TinyNets, PlanArguments("plan", "--ranks-per-job", "3", "--batch-size", "6"));
        Assert.True(divisible.ExitCode == 0, divisible.ToString());
        Assert.Equal((3, 6), (AblationPlan.Load(Path.Combine(_directory, "abl")).RanksPerJob, AblationPlan.Load(Path.Combine(_directory, "abl")).Settings.BatchSize));
    }
}
