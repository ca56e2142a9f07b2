using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Unetr.Model.Training;

namespace Unetr.CommandLine.Ablation;

/// <summary>
/// What one job measured, written atomically as <see cref="AblationJob.ResultFile"/>: a job's file exists exactly when
/// the job finished, which is how a rerun knows what to skip.
/// </summary>
/// <param name="Job">The job, as the plan lists it.</param>
/// <param name="Dice">Mean foreground Dice on the held-out volumes (training jobs).</param>
/// <param name="ClassDice">Dice of each foreground class (training jobs).</param>
/// <param name="FinalLoss">Loss of the last training step (training jobs).</param>
/// <param name="TrainingSeconds">Wall time of the training budget (training jobs).</param>
/// <param name="ForwardSeconds">Median forward time of one sample (measurement jobs).</param>
/// <param name="TrainStepSeconds">Median train step time of one sample (measurement jobs).</param>
/// <param name="PeakMemoryBytes">Growth of peak resident memory (measurement jobs; <c>null</c> where not measurable).</param>
/// <param name="Threads">libtorch threads the job ran with (on each rank).</param>
/// <param name="Machine">Host name of the machine that ran it (rank 0's, for a job over several ranks).</param>
/// <param name="Ranks">MPI ranks the training ran data-parallel on (<c>ablate job --distributed</c>), each with <paramref name="Threads"/> threads; 1 otherwise.</param>
public sealed record AblationJobResult(
    AblationJob Job,
    double? Dice,
    IReadOnlyList<double>? ClassDice,
    double? FinalLoss,
    double? TrainingSeconds,
    double? ForwardSeconds,
    double? TrainStepSeconds,
    long? PeakMemoryBytes,
    int Threads,
    string Machine,
    int Ranks = 1)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    /// <summary>The result file of <paramref name="job"/> in the output folder <paramref name="directory"/>.</summary>
    public static string PathOf(string directory, AblationJob job) => Path.Combine(AblationPlan.ResultsIn(directory), job.ResultFile);

    /// <summary>Writes the result into <paramref name="directory"/>'s results folder atomically.</summary>
    public string Save(string directory)
    {
        var path = PathOf(directory, Job);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AblationSummaryReport.WriteText(path, JsonSerializer.Serialize(this, Json) + "\n");
        return path;
    }

    /// <summary>The result of <paramref name="job"/> in <paramref name="directory"/>, or <c>null</c> when the job has not finished.</summary>
    /// <exception cref="UsageException">The file is there but is not this job's complete result (it names the file and says to delete it).</exception>
    public static AblationJobResult? Load(string directory, AblationJob job)
    {
        var path = Path.GetFullPath(PathOf(directory, job));
        if (!File.Exists(path))
        {
            return null;
        }

        AblationJobResult? result;
        try
        {
            result = JsonSerializer.Deserialize<AblationJobResult>(File.ReadAllText(path), Json);
        }
        catch (JsonException error)
        {
            throw Corrupt(path, error.Message);
        }

        var problem = result is null ? "empty" : result.Problem(job);
        return problem is null ? result : throw Corrupt(path, problem);
    }

    private string? Problem(AblationJob job)
    {
        if (Job is null || Job.Kind != job.Kind || Job.Variant != job.Variant || Job.Seed != job.Seed || Job.Round != job.Round)
        {
            return $"it holds {Job?.ToString() ?? "no job"}, not {job}";
        }

        static bool Finite(double? value) => value is { } v && double.IsFinite(v);
        return job.Kind switch
        {
            AblationJobKind.Train when !(Finite(Dice) && Dice is >= 0 and <= 1 && ClassDice is not null && Finite(FinalLoss) && Finite(TrainingSeconds)) =>
                "a training result needs a Dice in [0, 1], class Dice, the final loss and the training time",
            AblationJobKind.Measure when !(Finite(ForwardSeconds) && ForwardSeconds > 0 && Finite(TrainStepSeconds) && TrainStepSeconds > 0 && PeakMemoryBytes is null or >= 0) =>
                "a measurement needs positive forward and train step times",
            _ => null,
        };
    }

    private static UsageException Corrupt(string path, string why) =>
        new($"Result file '{path}' is corrupt ({why}); delete it and run the job again.");
}
