using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Unetr.Measurement.Ablation;
using Unetr.Model.Training;

namespace Unetr.CommandLine.Ablation;

/// <summary>What a job does: train a variant with one seed and score it, or time it and measure its memory once.</summary>
public enum AblationJobKind
{
    /// <summary>Train with one seed for the budget and score the held-out volumes.</summary>
    Train,

    /// <summary>Time the forward pass and the train step and measure peak memory, in a process of its own.</summary>
    Measure,
}

/// <summary>One job of a plan; every job runs in a process of its own and writes <see cref="ResultFile"/>.</summary>
/// <param name="Index">Position in <see cref="AblationPlan.Jobs"/> (the Slurm array task id).</param>
/// <param name="Kind">Training or measuring.</param>
/// <param name="Variant">The network's name in the host's catalog.</param>
/// <param name="Seed">The training seed (<see cref="AblationJobKind.Train"/>); the timing inputs' seed otherwise.</param>
/// <param name="Round">The measurement round (<see cref="AblationJobKind.Measure"/>); 0 for training.</param>
public sealed record AblationJob(int Index, AblationJobKind Kind, string Variant, long Seed, int Round)
{
    /// <summary>The result's file name in <see cref="AblationPlan.ResultsFolder"/>, e.g. <c>train-Net-seed3.json</c>.</summary>
    [JsonIgnore]
    public string ResultFile => Kind == AblationJobKind.Train ? $"train-{Variant}-seed{Seed}.json" : $"measure-{Variant}-round{Round}.json";

    /// <summary>The job in words, e.g. "train Net with seed 3".</summary>
    public override string ToString() =>
        Kind == AblationJobKind.Train ? $"job {Index}: train {Variant} with seed {Seed}" : $"job {Index}: measure {Variant} (round {Round + 1})";
}

/// <summary>A network of the plan with its compile-time figures.</summary>
/// <param name="Name">Its name in the host's catalog.</param>
/// <param name="Change">What it changes relative to the baseline (its sweep label), or "baseline".</param>
/// <param name="Parameters">Trainable parameters (compile-time).</param>
/// <param name="MultiplyAccumulates">MACs of one sample's forward (compile-time).</param>
public sealed record AblationPlannedVariant(string Name, string Change, long Parameters, long MultiplyAccumulates);

/// <summary>The dataset on disk every training job reads, as <c>train --data</c> takes it.</summary>
/// <param name="Path">The dataset.json or folder, absolute.</param>
/// <param name="Preprocessing">The preprocessing options (<see cref="PreprocessingOptions.AsArguments"/>).</param>
/// <param name="ForegroundCropProbability">From <c>--pos-neg</c>, or <c>null</c> for uniform crops.</param>
/// <param name="ReplaceNonFiniteVoxels">From <c>--non-finite-voxels zero</c>.</param>
/// <param name="Description">How the report describes it.</param>
public sealed record AblationPlannedData(string Path, string Preprocessing, double? ForegroundCropProbability, bool ReplaceNonFiniteVoxels, string Description);

/// <summary>
/// An ablation written down before it runs (<c>plan.json</c>): the variants, the settings, the seeds and every job.
/// <c>ablate</c> runs it locally; <c>ablate plan</c> writes it with a Slurm script; <c>ablate job</c> runs one job of it;
/// <c>ablate report</c> merges the results that exist.
/// </summary>
public sealed record AblationPlan
{
    /// <summary>The plan's file name in the output folder.</summary>
    public const string FileName = "plan.json";

    /// <summary>The folder of the output folder that holds one result file per finished job.</summary>
    public const string ResultsFolder = "results";

    /// <summary>Format version; a plan of another version is refused.</summary>
    public const int CurrentVersion = 1;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    private static readonly JsonSerializerOptions Compact = new() { Converters = { new JsonStringEnumConverter() } };

    /// <summary>Format version.</summary>
    public int Version { get; init; } = CurrentVersion;

    /// <summary>The command that starts the host (executable, then e.g. the entry assembly under <c>dotnet</c>); jobs run it with <c>ablate job</c>.</summary>
    public required IReadOnlyList<string> Host { get; init; }

    /// <summary>The baseline's name; paired differences are taken against it.</summary>
    public required string Baseline { get; init; }

    /// <summary>The networks, baseline first.</summary>
    public required IReadOnlyList<AblationPlannedVariant> Variants { get; init; }

    /// <summary>The training budget and timing repeats (its seed is the first of <see cref="Seeds"/>).</summary>
    public required AblationSettings Settings { get; init; }

    /// <summary>The training seeds; every variant trains once with each.</summary>
    public required IReadOnlyList<long> Seeds { get; init; }

    /// <summary>Measurement rounds: each variant is timed once per round, in a process of its own.</summary>
    public required int MeasureRounds { get; init; }

    /// <summary>The dataset on disk, or <c>null</c> for the embedded synthetic volumes.</summary>
    public AblationPlannedData? Data { get; init; }

    /// <summary>libtorch threads of a job, unless the job is told otherwise (<c>ablate job --threads</c>).</summary>
    public required int Threads { get; init; }

    /// <summary>
    /// MPI ranks every training job runs data-parallel on (<c>ablate plan --ranks-per-job</c>; the Slurm script starts them
    /// with <c>srun --mpi=pmix</c>); 1 runs each job as one process. Not compared by <see cref="Difference"/>: N ranks with
    /// batch / N volumes each take the steps one process takes with the whole batch.
    /// </summary>
    public int RanksPerJob { get; init; } = 1;

    /// <summary>Every job: the training jobs, then the measurement rounds (each round visits the variants in a rotated order).</summary>
    public required IReadOnlyList<AblationJob> Jobs { get; init; }

    /// <summary>The plan of <paramref name="variants"/> (baseline first) with <paramref name="seeds"/> and <paramref name="rounds"/>.</summary>
    public static AblationPlan Create(
        IReadOnlyList<string> host, IReadOnlyList<AblationPlannedVariant> variants, AblationSettings settings, IReadOnlyList<long> seeds, int rounds, AblationPlannedData? data, int threads)
    {
        ArgumentNullException.ThrowIfNull(variants);
        ArgumentNullException.ThrowIfNull(seeds);
        var jobs = new List<AblationJob>();
        foreach (var seed in seeds)
        {
            foreach (var variant in variants)
            {
                jobs.Add(new AblationJob(jobs.Count, AblationJobKind.Train, variant.Name, seed, 0));
            }
        }

        // Round r starts at variant r: no variant is always measured first (or right after the same neighbour).
        for (var round = 0; round < rounds; round++)
        {
            for (var i = 0; i < variants.Count; i++)
            {
                jobs.Add(new AblationJob(jobs.Count, AblationJobKind.Measure, variants[(i + round) % variants.Count].Name, settings.Seed, round));
            }
        }

        return new AblationPlan
        {
            Host = host,
            Baseline = variants[0].Name,
            Variants = variants,
            Settings = settings,
            Seeds = seeds,
            MeasureRounds = rounds,
            Data = data,
            Threads = threads,
            Jobs = jobs,
        };
    }

    /// <summary>The plan's path in <paramref name="directory"/>.</summary>
    public static string PathIn(string directory) => System.IO.Path.Combine(directory, FileName);

    /// <summary>The results folder of <paramref name="directory"/>.</summary>
    public static string ResultsIn(string directory) => System.IO.Path.Combine(directory, ResultsFolder);

    /// <summary>Writes the plan into <paramref name="directory"/> atomically (creating it and its results folder).</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(ResultsIn(directory));
        AblationSummaryReport.WriteText(PathIn(directory), JsonSerializer.Serialize(this, Json) + "\n");
    }

    /// <summary>Reads the plan of <paramref name="directory"/>.</summary>
    /// <exception cref="UsageException">No plan there, or it is not a plan this version wrote.</exception>
    public static AblationPlan Load(string directory)
    {
        var path = System.IO.Path.GetFullPath(PathIn(directory));
        if (!File.Exists(path))
        {
            throw new UsageException($"No ablation plan at '{path}'; write one with `ablate plan --output {directory}` (or run `ablate --output {directory}`).");
        }

        AblationPlan? plan;
        try
        {
            plan = JsonSerializer.Deserialize<AblationPlan>(File.ReadAllText(path), Json);
        }
        catch (JsonException error)
        {
            throw new UsageException($"'{path}' is not a valid ablation plan: {error.Message}");
        }

        if (plan is null || plan.Version != CurrentVersion || plan.Jobs is null || plan.Variants is not { Count: > 0 } || plan.Settings is null || plan.RanksPerJob < 1
            || plan.Jobs.Select((job, i) => job.Index == i).Contains(false))
        {
            throw new UsageException($"'{path}' is not an ablation plan of version {CurrentVersion} with numbered jobs; write it again with `ablate plan`.");
        }

        return plan;
    }

    /// <summary>
    /// The first difference between what this plan and <paramref name="other"/> measure (networks, budget, seeds, rounds,
    /// data), or <c>null</c> when their results are interchangeable. Threads, host and ranks per job are not compared.
    /// </summary>
    public string? Difference(AblationPlan other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var mine = Definition();
        var theirs = other.Definition();
        for (var i = 0; i < mine.Length; i++)
        {
            if (mine[i].Value != theirs[i].Value)
            {
                return $"{mine[i].Name} ({Detail(mine[i].Value, theirs[i].Value)})";
            }
        }

        return null;
    }

    /// <summary>The first property that differs between two JSON objects, as "Name: this → that", or the two values.</summary>
    private static string Detail(string mine, string theirs)
    {
        try
        {
            using var a = JsonDocument.Parse(mine);
            using var b = JsonDocument.Parse(theirs);
            if (a.RootElement.ValueKind == JsonValueKind.Object && b.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in a.RootElement.EnumerateObject())
                {
                    var other = b.RootElement.TryGetProperty(property.Name, out var value) ? value.GetRawText() : "absent";
                    if (property.Value.GetRawText() != other)
                    {
                        return $"{property.Name}: {property.Value.GetRawText()} here, {other} requested";
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON (seeds, rounds, the baseline's name): the values themselves say it.
        }

        return $"{Shorten(mine)} here, {Shorten(theirs)} requested";
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";

    private (string Name, string Value)[] Definition() => new[]
    {
        ("networks", string.Join(", ", Variants.Select(v => $"{v.Name} ({v.Parameters} parameters)"))),
        ("baseline", Baseline),
        ("settings", JsonSerializer.Serialize(Settings with { Threads = 1, WaitPolicy = string.Empty }, Compact)),
        ("seeds", string.Join(",", Seeds)),
        ("measurement rounds", MeasureRounds.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ("data", JsonSerializer.Serialize(Data, Json)),
    };
}
