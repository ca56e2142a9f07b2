using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using TorchSharp;
using Unetr.Measurement.Ablation;
using Unetr.Model.Presets;
using Unetr.Model.Training;
using Unetr.Model.Training.Distributed;

namespace Unetr.CommandLine.Ablation;

/// <summary>
/// The <c>ablate</c> verb and its sub-verbs over the host's catalog: <c>ablate</c> plans, runs every job in a process of
/// its own and reports; <c>ablate plan</c> writes the plan and a Slurm array script; <c>ablate job</c> (hidden) runs one
/// job; <c>ablate report</c> merges whatever results exist.
/// </summary>
internal static class AblateCommand
{
    private const string SlurmTaskVariable = "SLURM_ARRAY_TASK_ID";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The command that starts this host again: the executable, plus the entry assembly when it runs under <c>dotnet</c>.</summary>
    public static IReadOnlyList<string> CurrentHost()
    {
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("The host's executable path is unknown.");
        var entry = Assembly.GetEntryAssembly()?.Location;
        return Path.GetFileNameWithoutExtension(process) == "dotnet" && !string.IsNullOrEmpty(entry) ? new[] { process, entry } : new[] { process };
    }

    /// <summary>Builds <c>ablate</c> with its sub-verbs over <paramref name="models"/>; jobs start <paramref name="host"/> again.</summary>
    public static Command Create(ModelCatalog models, IReadOnlyList<string> host)
    {
        var selection = new PlanOptions(models);
        var jobs = OptionRules.Positive(new Option<int>("--jobs") { Description = "Training jobs run at once; each gets --threads / --jobs libtorch threads.", DefaultValueFactory = _ => 1 });
        var threads = OptionRules.Positive(new Option<int>("--threads") { Description = "libtorch threads to split among the jobs (default: the machine's cores).", DefaultValueFactory = _ => Environment.ProcessorCount });
        var ranks = OptionRules.Positive(new Option<int>("--ranks-per-job")
        {
            Description = "MPI ranks per training job: only 1 here, where every job is one process; for more, use `ablate plan --ranks-per-job N` with sbatch, or mpirun each `ablate job --distributed` yourself.",
            DefaultValueFactory = _ => 1,
        });
        var command = new Command(
            "ablate",
            "Train every selected network with every seed, each job in a process of its own (a rerun skips finished jobs), then time them in interleaved rounds; "
            + "write ablation.md/.csv/.png with 95 % intervals, paired differences to the baseline and the Pareto fronts.")
        {
            jobs, threads, ranks,
        };
        selection.AddTo(command);
        command.SetAction(result => CommandFailure.Report(() =>
        {
            if (result.GetValue(ranks) is > 1 and var n)
            {
                throw new UsageException(
                    $"ablate runs every job as one process on this machine, so --ranks-per-job {n} is refused here; write the plan and a Slurm script with `ablate plan --ranks-per-job {n}` and submit it with sbatch, "
                    + $"or run each training job yourself with `mpirun -np {n} <this host> ablate job --distributed --output <folder> --index <i>`, then `ablate report`.");
            }

            var jobCount = result.GetValue(jobs);
            var total = result.GetValue(threads);
            var perJob = Math.Max(1, total / jobCount);
            var (plan, directory) = selection.Plan(result, host, perJob, ranksPerJob: 1);
            return RunLocally(plan, directory, host, jobCount, perJob, total);
        }));

        command.Subcommands.Add(CreatePlan(models, host));
        command.Subcommands.Add(CreateJob(models));
        command.Subcommands.Add(CreateReport());
        return command;
    }

    private static Command CreatePlan(ModelCatalog models, IReadOnlyList<string> host)
    {
        var selection = new PlanOptions(models);
        var partition = new Option<string?>("--partition") { Description = "Slurm partition (#SBATCH --partition)." };
        var time = new Option<string?>("--time") { Description = "Time limit of one job, e.g. 02:00:00 (#SBATCH --time)." };
        var cpus = OptionRules.Positive(new Option<int>("--cpus-per-task") { Description = "Cores per Slurm task (per MPI rank with --ranks-per-job); each runs that many libtorch threads.", DefaultValueFactory = _ => 2 });
        var ranks = OptionRules.Positive(new Option<int>("--ranks-per-job")
        {
            Description = "MPI ranks (Slurm tasks) each training job runs data-parallel on, started with srun --mpi=pmix; the batch must split evenly across them. Measurement jobs stay one process.",
            DefaultValueFactory = _ => 1,
        });
        var memory = new Option<string?>("--mem") { Description = "Memory per job, e.g. 8G (#SBATCH --mem)." };
        var command = new Command("plan", $"Write the job list ({AblationPlan.FileName}) and a Slurm array script ({SlurmScript.FileName}) into --output; submit it with sbatch, then run `ablate report`.")
        {
            partition, time, cpus, memory, ranks,
        };
        selection.AddTo(command);
        command.SetAction(result => CommandFailure.Report(() =>
        {
            var (plan, directory) = selection.Plan(result, host, result.GetValue(cpus), result.GetValue(ranks));
            var script = SlurmScript.Create(plan, directory, new SlurmResources(result.GetValue(partition), result.GetValue(time), result.GetValue(cpus), result.GetValue(memory)));
            var path = Path.Combine(directory, SlurmScript.FileName);
            AblationSummaryReport.WriteText(path, script);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute);
            }

            var perJob = plan.RanksPerJob > 1 ? string.Create(Invariant, $"; every training job on {plan.RanksPerJob} MPI ranks") : string.Empty;
            Console.WriteLine(string.Create(Invariant, $"Planned {plan.Jobs.Count} jobs ({plan.Variants.Count} networks × {plan.Seeds.Count} seeds, then {plan.MeasureRounds} measurement rounds{perJob}) in {AblationPlan.PathIn(directory)}."));
            Console.WriteLine($"Submit: sbatch {path}");
            Console.WriteLine($"Then:   {string.Join(" ", host.Select(SlurmScript.Quote))} ablate report --output {SlurmScript.Quote(directory)}");
            return 0;
        }));
        return command;
    }

    private static Command CreateJob(ModelCatalog models)
    {
        var output = new Option<string>("--output") { Description = "The ablation's folder (holds plan.json).", Required = true };
        var index = new Option<int?>("--index") { Description = $"The job's index in plan.json (default: ${SlurmTaskVariable})." };
        var threads = new Option<int?>("--threads") { Description = "libtorch threads (of each rank; default: the plan's)." };
        var distributed = new Option<bool>("--distributed")
        {
            Description = "Train data-parallel over the MPI ranks this process was started with (mpirun -np N or srun --mpi=pmix; what ablate.sbatch runs with --ranks-per-job N > 1): "
                + "the plan's batch is split evenly across them, only rank 0 prints and writes the result. Training jobs only: a measurement times one process.",
        };
        var command = new Command("job", "Run one job of a plan in this process and write its result file (what ablate and the Slurm script run).") { output, index, threads, distributed };
        command.Hidden = true;
        command.SetAction(result => CommandFailure.Report(() => RunJob(
            models, Path.GetFullPath(result.GetValue(output)!), result.GetValue(index), result.GetValue(threads), result.GetValue(distributed))));
        return command;
    }

    private static Command CreateReport()
    {
        var output = new Option<string>("--output") { Description = "The ablation's folder (holds plan.json and results/).", Required = true };
        var command = new Command("report", "Merge whatever results exist into ablation.md/.csv/.png and name the jobs that have not finished.") { output };
        command.SetAction(result => CommandFailure.Report(() =>
        {
            var directory = Path.GetFullPath(result.GetValue(output)!);
            Report(AblationPlan.Load(directory), directory);
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// Runs job <paramref name="index"/> (or <c>$SLURM_ARRAY_TASK_ID</c>) of the plan in <paramref name="directory"/>; a
    /// finished job is skipped. <paramref name="distributed"/>: a training job over the MPI ranks this process belongs to.
    /// </summary>
    internal static int RunJob(ModelCatalog models, string directory, int? index, int? threads, bool distributed = false)
    {
        var plan = AblationPlan.Load(directory);
        if (index is null)
        {
            var variable = Environment.GetEnvironmentVariable(SlurmTaskVariable);
            index = int.TryParse(variable, NumberStyles.None, Invariant, out var parsed)
                ? parsed
                : throw new UsageException(variable is null
                    ? $"Name the job with --index, or run it as a Slurm array task (${SlurmTaskVariable} is not set)."
                    : $"${SlurmTaskVariable} is '{variable}'; a job index 0…{plan.Jobs.Count - 1} is expected.");
        }

        if (index < 0 || index >= plan.Jobs.Count)
        {
            throw new UsageException($"Job index {index} is out of range: {AblationPlan.PathIn(directory)} lists jobs 0…{plan.Jobs.Count - 1}.");
        }

        if (threads is < 1)
        {
            throw new UsageException($"--threads must be a positive number; got {threads}.");
        }

        var job = plan.Jobs[index.Value];

        // Refused rather than run on rank 0 alone: the other ranks would sit on cores the timing then shares with nothing
        // it can account for, and a timing that depends on how the job was launched could not be compared with the rest.
        if (distributed && job.Kind == AblationJobKind.Measure)
        {
            throw new UsageException($"{job} times one process; run it without --distributed and without mpirun/srun (ablate.sbatch starts measurement jobs as one process).");
        }

        var network = models.Find(job.Variant);
        var planned = plan.Variants.Single(v => v.Name == job.Variant);
        if (network.Summary.Parameters != planned.Parameters || network.Summary.MultiplyAccumulates != planned.MultiplyAccumulates)
        {
            throw new UsageException(
                $"{job.Variant} has {network.Summary.Parameters:N0} parameters and {network.Summary.MultiplyAccumulates:N0} MACs here, but the plan recorded "
                + $"{planned.Parameters:N0} and {planned.MultiplyAccumulates:N0}: the network changed since `ablate plan`; plan again into a new folder.");
        }

        if (!distributed)
        {
            return RunJob(directory, plan, job, network, threads ?? plan.Threads, group: null);
        }

        var batchSize = plan.Settings.BatchSize;
        return DistributedRun.Run(
            batchSize,
            ranks => $"{AblationPlan.PathIn(directory)} plans batches of {batchSize} volumes, which do not split evenly across {ranks} ranks; start a number of ranks that divides {batchSize}, or plan again with a --batch-size that is a multiple of {ranks}.",
            group => RunJob(directory, plan, job, network, threads ?? plan.Threads, group));
    }

    private static int RunJob(string directory, AblationPlan plan, AblationJob job, Preset network, int threads, MpiProcessGroup? group)
    {
        // Rank 0 alone decides whether the job has finished, so that every rank either skips it or trains.
        var finished = group is not { Rank: > 0 } && AblationJobResult.Load(directory, job) is not null;
        if (group is not null)
        {
            using var flag = torch.tensor(new long[] { finished ? 1 : 0 });
            group.Broadcast(flag);
            finished = flag.item<long>() == 1;
        }

        if (finished)
        {
            Console.WriteLine($"{job} has finished already: {AblationJobResult.PathOf(directory, job)}");
            return 0;
        }

        var clock = Stopwatch.StartNew();
        var result = AblationJobRunner.Run(plan, job, network, threads, group);
        if (group is { Rank: > 0 })
        {
            return 0;
        }

        var path = result.Save(directory);
        Console.WriteLine(string.Create(Invariant, $"{job}: {Describe(result)} in {clock.Elapsed.TotalSeconds:F1} s → {path}"));
        return 0;
    }

    /// <summary>Plan, run every unfinished job locally (training jobs <paramref name="jobs"/> at a time, then the measurements one at a time), report.</summary>
    internal static int RunLocally(AblationPlan plan, string directory, IReadOnlyList<string> host, int jobs, int trainThreads, int measureThreads)
    {
        var pending = plan.Jobs.Where(job => AblationJobResult.Load(directory, job) is null).ToArray();
        AtomicFile.RemoveStale(AblationPlan.ResultsIn(directory), plan.Jobs.Select(job => job.ResultFile).ToArray());
        var logs = Path.Combine(directory, SlurmScript.LogsFolder);
        Directory.CreateDirectory(logs);
        Console.WriteLine(string.Create(Invariant,
            $"UNETR ablation ({(plan.Settings.IsQuick ? "quick" : "full")}): {plan.Variants.Count} networks × {plan.Seeds.Count} seeds ({string.Join(", ", plan.Seeds)}), {plan.Settings.Steps} steps each, baseline {plan.Baseline}; "
            + $"{plan.Jobs.Count - pending.Length} of {plan.Jobs.Count} jobs finished before, {pending.Length} to run."));
        if (plan.Settings.IsQuick)
        {
            Console.WriteLine(string.Create(Invariant, $"Quick: {plan.Seeds.Count} seeds and {plan.MeasureRounds} measurement rounds (the full run: 3 and 3), so the intervals are wide."));
        }

        var failed = 0;
        var done = plan.Jobs.Count - pending.Length;
        void Finished(AblationJob job, int exitCode, string log)
        {
            var count = Interlocked.Increment(ref done);
            if (exitCode == 0 && AblationJobResult.Load(directory, job) is { } result)
            {
                Console.WriteLine(string.Create(Invariant, $"[{count}/{plan.Jobs.Count}] {job}: {Describe(result)}"));
            }
            else
            {
                Interlocked.Increment(ref failed);
                var last = File.Exists(log) ? File.ReadLines(log).LastOrDefault(line => line.Trim().Length > 0) : null;
                Console.Error.WriteLine($"[{count}/{plan.Jobs.Count}] {job} failed (exit code {exitCode}): {last ?? "no output"} (log: {log})");
            }
        }

        var training = pending.Where(job => job.Kind == AblationJobKind.Train).ToArray();
        Parallel.ForEach(training, new ParallelOptions { MaxDegreeOfParallelism = jobs }, job =>
        {
            var (exitCode, log) = RunChild(host, directory, job, trainThreads, logs);
            Finished(job, exitCode, log);
        });

        // One at a time and with every thread: a measurement shares the machine with no other job.
        foreach (var job in pending.Where(job => job.Kind == AblationJobKind.Measure))
        {
            var (exitCode, log) = RunChild(host, directory, job, measureThreads, logs);
            Finished(job, exitCode, log);
        }

        var missing = Report(plan, directory);
        return failed > 0 || missing > 0 ? CommandFailure.ExitCode : 0;
    }

    private static (int ExitCode, string Log) RunChild(IReadOnlyList<string> host, string directory, AblationJob job, int threads, string logs)
    {
        var log = Path.Combine(logs, string.Create(Invariant, $"job-{job.Index}.log"));
        var start = new ProcessStartInfo(host[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in host.Skip(1).Concat(new[] { "ablate", "job", "--output", directory, "--index", job.Index.ToString(Invariant), "--threads", threads.ToString(Invariant) }))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["OMP_NUM_THREADS"] = threads.ToString(Invariant);
        using var writer = new StreamWriter(log, append: false) { AutoFlush = true };
        var gate = new object();
        void Write(object sender, DataReceivedEventArgs line)
        {
            if (line.Data is { } text)
            {
                lock (gate)
                {
                    writer.WriteLine(text);
                }
            }
        }

        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += Write;
        process.ErrorDataReceived += Write;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.WaitForExit();
        return (process.ExitCode, log);
    }

    /// <summary>Merges the results, writes the three files, prints the table and the unfinished jobs; returns how many have not finished.</summary>
    internal static int Report(AblationPlan plan, string directory)
    {
        var merge = AblationMerge.Read(directory, plan);
        var files = AblationSummaryReport.Write(directory, merge, Machine());
        Console.WriteLine();
        Console.Write(AblationSummaryReport.Table(merge));
        Console.WriteLine();
        foreach (var variant in merge.Variants.Where(v => v.Difference is { HasInterval: true }))
        {
            var d = variant.Difference!.Value;
            Console.WriteLine(string.Create(Invariant,
                $"{variant.Variant.Name} − {plan.Baseline}: {d.Mean:+0.0000;-0.0000} Dice, 95 % interval [{d.Low:+0.0000;-0.0000}, {d.High:+0.0000;-0.0000}] over {d.Count} seeds: {(variant.Resolved ? "resolved" : "not resolved (the interval contains 0)")}."));
        }

        if (merge.Missing.Count > 0)
        {
            Console.WriteLine(string.Create(Invariant, $"Not finished ({merge.Missing.Count} of {plan.Jobs.Count} jobs): {string.Join("; ", merge.Missing)}."));
        }

        Console.WriteLine($"Wrote {string.Join(", ", files)}");
        return merge.Missing.Count;
    }

    private static string Describe(AblationJobResult result) => result.Job.Kind == AblationJobKind.Train
        ? string.Create(Invariant, $"Dice {result.Dice:F4} (final loss {result.FinalLoss:F4}, training {result.TrainingSeconds:F1} s, {Threads(result)})")
        : string.Create(Invariant, $"forward {result.ForwardSeconds * 1e3:F1} ms, train step {result.TrainStepSeconds * 1e3:F1} ms, peak memory {(result.PeakMemoryBytes is { } b ? $"{b / 1048576.0:F1} MiB" : "n/a")} ({result.Threads} threads)");

    private static string Threads(AblationJobResult result) =>
        result.Ranks > 1 ? string.Create(Invariant, $"{result.Ranks} MPI ranks × {result.Threads} threads") : string.Create(Invariant, $"{result.Threads} threads");

    private static string Machine()
    {
        const string cpuInfo = "/proc/cpuinfo";
        var model = File.Exists(cpuInfo)
            ? File.ReadLines(cpuInfo).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";
        return $"{Environment.MachineName}: {RuntimeInformation.OSDescription}, {model ?? RuntimeInformation.ProcessArchitecture.ToString()}, {Environment.ProcessorCount} logical cores, load average {load} when the report was written";
    }

    /// <summary>The options that define an ablation (selection, budget, seeds, data, output), shared by <c>ablate</c> and <c>ablate plan</c>.</summary>
    private sealed class PlanOptions
    {
        private readonly ModelCatalog _models;
        private readonly Option<string?> _baseline;
        private readonly Option<string[]> _modelNames;
        private readonly Option<bool> _quick = new("--quick") { Description = $"The quick budget ({AblationSettings.Quick.Steps} steps, 2 seeds, 2 measurement rounds) instead of the full one ({AblationSettings.Full.Steps} steps, 3 seeds, 3 rounds)." };
        private readonly Option<int?> _seeds = OptionRules.Require(new Option<int?>("--seeds") { Description = "Training seeds per network (default: 3; 2 with --quick)." }, v => v is >= 1, "a positive number");
        private readonly Option<int?> _rounds = OptionRules.Require(new Option<int?>("--rounds") { Description = "Measurement rounds: each network is timed once per round, each time in a fresh process (default: 3; 2 with --quick)." }, v => v is >= 1, "a positive number");
        private readonly Option<long> _seed = new("--seed") { Description = "The first training seed; the others follow it (seed, seed + 1, …).", DefaultValueFactory = _ => AblationSettings.Quick.Seed };
        private readonly Option<int?> _steps = OptionRules.Require(new Option<int?>("--steps") { Description = "Training steps per job, overriding the budget's (warm-up: a tenth of them)." }, v => v is >= 1, "a positive number");
        private readonly Option<int?> _batchSize = OptionRules.Require(new Option<int?>("--batch-size") { Description = "Volumes per training step (default: 2); with --ranks-per-job, split evenly across the ranks." }, v => v is >= 1, "a positive number");
        private readonly Option<double?> _learningRate = OptionRules.Require(new Option<double?>("--lr") { Description = "Peak AdamW learning rate." }, v => v is > 0 && double.IsFinite(v.Value), "a positive number");
        private readonly Option<int?> _trainVolumes = OptionRules.Require(new Option<int?>("--train-volumes") { Description = "Synthetic training volumes." }, v => v is >= 1, "a positive number");
        private readonly Option<int?> _heldOutVolumes = OptionRules.Require(new Option<int?>("--held-out-volumes") { Description = "Synthetic held-out volumes Dice is taken on." }, v => v is >= 1, "a positive number");
        private readonly Option<string> _output = new("--output") { Description = "The ablation's folder: plan.json, results/, logs/ and the report.", DefaultValueFactory = _ => Path.Combine("artifacts", "ablation") };
        private readonly DataOptions _data = new();

        public PlanOptions(ModelCatalog models)
        {
            _models = models;
            _baseline = new Option<string?>("--baseline") { Description = "The baseline: it and every network a sweep derived from it (default: the host's own networks, a swept baseline with its variants if there is one). Networks: " + models.Names };
            _modelNames = new Option<string[]>("--models") { Description = "Networks to compare (comma separated); the first is the baseline unless --baseline names one.", AllowMultipleArgumentsPerToken = true };
        }

        public void AddTo(Command command)
        {
            foreach (var option in new Option[] { _baseline, _modelNames, _quick, _seeds, _rounds, _seed, _steps, _batchSize, _learningRate, _trainVolumes, _heldOutVolumes, _output }.Concat(_data.All))
            {
                command.Options.Add(option);
            }
        }

        /// <summary>
        /// The plan the options describe, saved into the output folder; when the folder holds a plan already, that plan
        /// if it measures the same thing (so its finished jobs count), else an error naming the difference. Threads, host and
        /// ranks per job are how the jobs run, not what they measure: they follow the latest call.
        /// </summary>
        public (AblationPlan Plan, string Directory) Plan(ParseResult result, IReadOnlyList<string> host, int threads, int ranksPerJob)
        {
            var choice = _data.Read(result);
            var networks = Select(result.GetValue(_baseline), (result.GetValue(_modelNames) ?? Array.Empty<string>())
                .SelectMany(n => n.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray(), choice.Path is null);
            var quick = result.GetValue(_quick);
            var settings = (quick ? AblationSettings.Quick : AblationSettings.Full) with { Threads = threads };
            if (result.GetValue(_steps) is { } steps)
            {
                settings = settings with { Steps = steps, WarmupSteps = steps / 10 };
            }

            settings = settings with
            {
                BatchSize = result.GetValue(_batchSize) ?? settings.BatchSize,
                LearningRate = result.GetValue(_learningRate) ?? settings.LearningRate,
                TrainVolumes = result.GetValue(_trainVolumes) ?? settings.TrainVolumes,
                HeldOutVolumes = result.GetValue(_heldOutVolumes) ?? settings.HeldOutVolumes,
                Seed = result.GetValue(_seed),
            };

            AblationPlannedData? data = null;
            if (choice.Path is null)
            {
                if (choice.PreprocessingOptions.Count > 0)
                {
                    throw new UsageException($"Preprocessing options ({string.Join(", ", choice.PreprocessingOptions)}) apply to volumes read from disk; add --data <dataset.json or folder>.");
                }

                foreach (var network in networks)
                {
                    AblationJobRunner.RequireSyntheticShape(network);
                }
            }
            else
            {
                // Every network must fit the dataset: refused now, not in a job hours later.
                string description = string.Empty;
                foreach (var network in networks)
                {
                    using var splits = choice.Open(network) ?? throw new UsageException($"{network.Name} cannot train on {choice.Path} (see above).");
                    var heldOut = splits.ValidationHeldOut ? " held out from the training list" : string.Empty;
                    description = string.Create(Invariant,
                        $"{splits.Name} ({Path.GetFullPath(choice.Path)}): {splits.Training.Count} training volumes, Dice on {splits.Validation.Count} validation volumes{heldOut}; {PreprocessingOptions.Describe(choice.Preprocessing)}");
                }

                data = new AblationPlannedData(Path.GetFullPath(choice.Path), PreprocessingOptions.AsArguments(choice.Preprocessing), choice.ForegroundCropProbability, choice.NonFiniteVoxels == Unetr.Model.Data.NonFiniteVoxels.Zero, description);
                settings = settings with { Dataset = description };
            }

            settings.Validate();
            if (settings.BatchSize % ranksPerJob != 0)
            {
                throw new UsageException(
                    $"--ranks-per-job {ranksPerJob} does not split the batch of {settings.BatchSize} volumes evenly; give a --batch-size that is a multiple of {ranksPerJob} (every rank takes batch / ranks volumes of each step).");
            }

            var defaultCount = quick ? 2 : 3;
            var seeds = Enumerable.Range(0, result.GetValue(_seeds) ?? defaultCount).Select(k => settings.Seed + k).ToArray();
            var baseline = networks[0];
            var variants = networks.Select(n => new AblationPlannedVariant(
                n.Name, n == baseline ? "baseline" : n.Sweep?.Label ?? "—", n.Summary.Parameters, n.Summary.MultiplyAccumulates)).ToArray();
            var plan = AblationPlan.Create(host, variants, settings, seeds, result.GetValue(_rounds) ?? defaultCount, data, threads) with { RanksPerJob = ranksPerJob };

            var directory = Path.GetFullPath(result.GetValue(_output)!);
            if (File.Exists(AblationPlan.PathIn(directory)))
            {
                var existing = AblationPlan.Load(directory);
                if (existing.Difference(plan) is { } difference)
                {
                    throw new UsageException(
                        $"{directory} holds an ablation planned with other {difference}; its results cannot be merged with these. Give another --output, or delete the folder to start over.");
                }

                Console.WriteLine($"Continuing the ablation planned in {AblationPlan.PathIn(directory)}: finished jobs are skipped.");
                var continued = existing with { Threads = threads, Host = host, RanksPerJob = ranksPerJob };
                if (existing.RanksPerJob != ranksPerJob)
                {
                    continued.Save(directory);
                }

                return (continued, directory);
            }

            plan.Save(directory);
            Directory.CreateDirectory(Path.Combine(directory, SlurmScript.LogsFolder));
            return (plan, directory);
        }

        /// <summary>
        /// The networks to compare, baseline first. With neither <paramref name="baseline"/> nor <paramref name="names"/>:
        /// the host's own networks: the first one a sweep derives variants from, with them; else every declared network
        /// (that the embedded volumes can feed, when <paramref name="synthetic"/>), the first as the baseline.
        /// </summary>
        private List<Preset> Select(string? baseline, IReadOnlyList<string> names, bool synthetic)
        {
            if (baseline is null && names.Count == 0)
            {
                var declared = _models.Declared;
                var swept = declared.FirstOrDefault(n => n.Sweep is null && declared.Any(v => v.Sweep is { } sweep && string.Equals(sweep.Baseline, n.Name, StringComparison.OrdinalIgnoreCase)));
                if (swept is not null)
                {
                    baseline = swept.Name;
                }
                else
                {
                    var usable = declared.Where(n => !synthetic || AblationJobRunner.FitsSyntheticData(n)).ToArray();
                    if (usable.Length == 0)
                    {
                        throw new UsageException($"Name what to compare: --baseline NAME (it and the networks a sweep derived from it) and/or --models a,b,c. Networks: {_models.Names}.");
                    }

                    var skipped = declared.Except(usable).Select(n => n.Name).ToArray();
                    if (skipped.Length > 0)
                    {
                        Console.WriteLine($"Left out (the embedded volumes cannot feed them; give --data or --models): {string.Join(", ", skipped)}.");
                    }

                    names = usable.Select(n => n.Name).ToArray();
                }
            }

            var chosen = new List<Preset>();
            void Add(Preset network)
            {
                if (!chosen.Contains(network))
                {
                    chosen.Add(network);
                }
            }

            if (baseline is not null)
            {
                var root = _models.Find(baseline);
                Add(root);
                foreach (var variant in _models.All.Where(n => n.Sweep is { } sweep && string.Equals(sweep.Baseline, root.Name, StringComparison.OrdinalIgnoreCase)))
                {
                    Add(variant);
                }
            }

            foreach (var name in names)
            {
                Add(_models.Find(name));
            }

            return chosen;
        }
    }
}
