using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace Unetr.CommandLine.Ablation;

/// <summary>The resources an <c>sbatch</c> array task asks for; <c>null</c> leaves the cluster's default.</summary>
/// <param name="Partition">--partition.</param>
/// <param name="Time">--time, e.g. 02:00:00.</param>
/// <param name="CpusPerTask">--cpus-per-task; every job (every rank of a job over several) runs that many libtorch threads.</param>
/// <param name="Memory">--mem, e.g. 8G.</param>
public sealed record SlurmResources(string? Partition, string? Time, int CpusPerTask, string? Memory);

/// <summary>
/// <c>ablate.sbatch</c>: a Slurm job array with one task per job of a plan, each running the host's
/// <c>ablate job --index $SLURM_ARRAY_TASK_ID</c> into the shared output folder. With
/// <see cref="AblationPlan.RanksPerJob"/> N &gt; 1 every array task asks for N Slurm tasks and a training job starts its
/// N MPI ranks with <c>srun --mpi=pmix … ablate job --distributed</c>; a measurement job stays one process.
/// </summary>
/// <remarks>
/// <c>--mpi=pmix</c> because Debian's Open MPI 4.1 is built against the external PMIx (libpmix2) that Slurm's
/// <c>mpi_pmix</c> plugin serves, and has no PMI-1/PMI-2 support, so <c>--mpi=pmi2</c> cannot wire it up; plain
/// <c>srun</c> takes the cluster's <c>MpiDefault</c>, which is <c>none</c> unless the site sets it, and then does not wire
/// the ranks together. Slurm 22.05's <c>srun</c> no longer takes <c>--cpus-per-task</c> from <c>sbatch</c>
/// (<c>SLURM_CPUS_PER_TASK</c>), so the script passes it again. <c>--kill-on-bad-exit=1</c>: a rank that dies ends the
/// others, which would otherwise wait in a collective (a rank that fails with an error aborts them itself). This line
/// runs on a real Slurm in <c>SlurmAblationTests</c> (Debian 12's Slurm 22.05 and Open MPI 4.1.4 with PMIx 4.2): each
/// node needs the PMIx library where the <c>mpi_pmix</c> plugin looks for it, which on Debian is the package
/// libpmix-dev (the plugin opens <c>libpmix.so</c>, not <c>libpmix.so.2</c>).
/// </remarks>
public static class SlurmScript
{
    /// <summary>The script's file name in the output folder.</summary>
    public const string FileName = "ablate.sbatch";

    /// <summary>The folder of the output folder that receives each task's standard output and error.</summary>
    public const string LogsFolder = "logs";

    /// <summary>The script for <paramref name="plan"/> written into the absolute folder <paramref name="directory"/>.</summary>
    public static string Create(AblationPlan plan, string directory, SlurmResources resources)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(resources);
        if (!Path.IsPathFullyQualified(directory))
        {
            throw new ArgumentException($"The output folder must be an absolute path for the script; got '{directory}'.", nameof(directory));
        }

        var logs = Path.Combine(directory, LogsFolder);
        var text = new StringBuilder("#!/bin/bash\n");
        text.Append("# Written by `ablate plan`: one array task per job of plan.json; submit with `sbatch ").Append(Path.Combine(directory, FileName)).Append("`,\n");
        text.Append("# then merge whatever has finished with `ablate report --output ").Append(directory).Append("`.\n");
        var ranks = plan.RanksPerJob;
        var trainingJobs = plan.Jobs.Count(job => job.Kind == AblationJobKind.Train);
        if (ranks > 1)
        {
            if (plan.Jobs.Take(trainingJobs).Any(job => job.Kind != AblationJobKind.Train))
            {
                throw new ArgumentException("The plan's training jobs must come before its measurement jobs.", nameof(plan));
            }

            text.Append(string.Create(CultureInfo.InvariantCulture,
                $"# Training jobs (tasks 0-{trainingJobs - 1}) run on {ranks} MPI ranks (srun --mpi=pmix, Open MPI's PMIx wire-up); measurement jobs time one process.\n"));
        }

        text.Append("#SBATCH --job-name=unetr-ablate\n");
        text.Append(string.Create(CultureInfo.InvariantCulture, $"#SBATCH --array=0-{plan.Jobs.Count - 1}\n"));
        text.Append(string.Create(CultureInfo.InvariantCulture, $"#SBATCH --ntasks={ranks}\n"));
        text.Append(string.Create(CultureInfo.InvariantCulture, $"#SBATCH --cpus-per-task={resources.CpusPerTask}\n"));
        if (resources.Partition is { } partition)
        {
            text.Append("#SBATCH --partition=").Append(partition).Append('\n');
        }

        if (resources.Time is { } time)
        {
            text.Append("#SBATCH --time=").Append(time).Append('\n');
        }

        if (resources.Memory is { } memory)
        {
            text.Append("#SBATCH --mem=").Append(memory).Append('\n');
        }

        text.Append("#SBATCH --chdir=").Append(directory).Append('\n');
        text.Append("#SBATCH --output=").Append(Path.Combine(logs, "job-%a.out")).Append('\n');
        text.Append("#SBATCH --error=").Append(Path.Combine(logs, "job-%a.err")).Append('\n');
        text.Append("set -euo pipefail\n");
        text.Append(string.Create(CultureInfo.InvariantCulture, $"threads=\"${{SLURM_CPUS_PER_TASK:-{resources.CpusPerTask}}}\"\n"));
        text.Append("export OMP_NUM_THREADS=\"$threads\"\n");
        var job = string.Join(" ", plan.Host.Select(Quote)) + " ablate job --output " + Quote(directory) + " --index \"$SLURM_ARRAY_TASK_ID\" --threads \"$threads\"";
        if (ranks > 1)
        {
            text.Append(string.Create(CultureInfo.InvariantCulture, $"if (( SLURM_ARRAY_TASK_ID < {trainingJobs} )); then\n"));
            text.Append(string.Create(CultureInfo.InvariantCulture, $"  exec srun --mpi=pmix --kill-on-bad-exit=1 --ntasks={ranks} --cpus-per-task=\"$threads\" "))
                .Append(job).Append(" --distributed\n");
            text.Append("fi\n");
        }

        text.Append("exec ").Append(job).Append('\n');
        return text.ToString();
    }

    /// <summary>Single-quotes <paramref name="word"/> for bash.</summary>
    public static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
