using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Unetr.Model.Checkpoints;
using Unetr.Model.Data.Nifti;
using Unetr.Model.Presets;
using Unetr.Model.Training;
using Unetr.Tests.Cli;
using Unetr.Tests.Data;
using Unetr.Tests.Training;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;
using static Unetr.Tests.Corruption.CorruptionCases;

namespace Unetr.Tests.Corruption;

/// <summary>
/// Issue 16's corruption suite through the command line: the recipes of <see cref="CorruptionCases"/> fed to the verbs
/// (<c>infer</c>, <c>evaluate</c>, <c>convert</c>, <c>train --resume</c>, <c>train --data</c>) in process, each case
/// classified by its exit code, standard error and the files in its folder afterwards; then one refused case per kind
/// again through the real <c>unetr</c> executable.
/// </summary>
/// <remarks>
/// <para>
/// The NIfTI and <c>dataset.json</c> cases are the library suite's own files. The CLI takes weights and checkpoints of a
/// preset only, so the <c>.pt</c>, <c>.safetensors</c> and <c>.ckpt</c> recipes are applied to <see cref="TinyMonaiUnetr"/>'s
/// files (the <c>.pt</c> and <c>.safetensors</c> as <see cref="StateDictWriter"/> writes them, the <c>.ckpt</c> as
/// <c>train</c> writes it).
/// </para>
/// <para>
/// Refused clearly: exit code 2 (the commands' refusal), standard error of one line that names a file of the case.
/// Accepted unchanged: exit code 0 and the same result as the valid original's run (label voxels, converted tensors, Dice
/// lines, or curves and last checkpoint). Anything else that exits, or an exception out of the command line, is a crash; a
/// file of a failed run left in the case's folder, or a <c>*.tmp</c> after any run, is a leftover.
/// </para>
/// <para>
/// Every case costs a network load or a training set-up, so a seeded subset of <see cref="CasesPerKind"/> cases per
/// kind runs here (every case runs through the library entry points in <see cref="CorruptionSuiteTests"/>).
/// </para>
/// </remarks>
[Collection(TrainingCollection.Name)]
public sealed class CliCorruptionSuiteTests : IDisposable
{
    /// <summary>Cases per file kind, chosen by a seeded shuffle.</summary>
    private const int CasesPerKind = 30;

    private const int SubsetSeed = 16;

    private const string Model = nameof(TinyMonaiUnetr);

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private readonly ITestOutputHelper _output;
    private readonly string _directory = Directory.CreateTempSubdirectory("unetr-cli-corruption-").FullName;
    private readonly string _setup;

    public CliCorruptionSuiteTests(ITestOutputHelper output)
    {
        _output = output;
        _setup = Path.Combine(_directory, "setup");
        Directory.CreateDirectory(_setup);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>A verb to run on a case's folder: its arguments, and the result of an accepted run to compare with the original's.</summary>
    private sealed record Verb(string Name, Func<string, string[]> Arguments, Func<string, CliRun, string> Result);

    /// <summary>A classified case, with the arguments it ran and what it printed on standard error.</summary>
    private sealed record CliCase(CorruptionResult Result, string Folder, string[] Arguments, string Error);

    [Fact]
    public void Corrupted_inputs_given_to_the_commands_are_refused_in_one_line_or_give_the_originals_result()
    {
        var clock = Stopwatch.StartNew();
        manual_seed(SubsetSeed);
        using var network = new TinyMonaiUnetr();
        var weights = new Dictionary<string, string> { [Pt] = Path.Combine(_setup, "tiny.pt"), [Safetensors] = Path.Combine(_setup, "tiny.safetensors") };
        foreach (var path in weights.Values)
        {
            StateDictWriter.Save(network, path);
        }

        var volume = Path.Combine(_setup, "volume.nii");
        File.WriteAllBytes(volume, Volume(_setup, compressed: false).Original[VolumeFile(compressed: false)]);
        var labels = NiftiVolumes.WriteLabel(Path.Combine(_setup, "labels.nii"), VolumeX, VolumeY, VolumeZ, (x, y, z) => (int)((x + y + z) % 3));
        var checkpoint = TrainedCheckpoint();

        var inferVolume = new Verb("infer", folder => Infer(folder, weights[Pt], Path.Combine(folder, Files(folder).Single())), (folder, _) => LabelVoxels(folder));
        var evaluateImage = new Verb("evaluate --image", folder =>
            new[] { "evaluate", "--model", Model, "--weights", weights[Pt], "--image", Path.Combine(folder, Files(folder).Single()), "--labels", labels }, (_, run) => DiceLines(run));
        Verb ConvertTo(string toExtension) => new("convert", folder =>
        {
            var from = Path.Combine(folder, Files(folder).Single());
            return new[] { "convert", "--model", Model, "--weights", from, "--output", Path.Combine(folder, "out", "converted" + toExtension) };
        }, (folder, _) => Tensors(Path.Combine(folder, "out", "converted" + toExtension)));
        Verb InferWith(string kind) => new("infer", folder => Infer(folder, Path.Combine(folder, Path.GetFileName(weights[kind])), volume), (folder, _) => LabelVoxels(folder));
        var resume = new Verb("train --resume", folder => Train(folder, "--steps", "3", "--resume", Path.Combine(folder, "last.ckpt")), (folder, _) => TrainingResult(folder));
        var trainData = new Verb("train --data", folder => Train(folder, "--steps", "2", "--data", Path.Combine(folder, "dataset.json")), (folder, _) => TrainingResult(folder));
        var evaluateData = new Verb("evaluate --data", folder =>
            new[] { "evaluate", "--model", Model, "--weights", weights[Pt], "--data", Path.Combine(folder, "dataset.json") }, (_, run) => DiceLines(run));

        var sets = new (CorruptionSet Set, Verb[] Verbs)[]
        {
            (Volume(_directory, compressed: false), new[] { inferVolume, evaluateImage }),
            (Volume(_directory, compressed: true), new[] { inferVolume, evaluateImage }),
            (StateDict(Pt, Path.GetFileName(weights[Pt]), File.ReadAllBytes(weights[Pt])), new[] { ConvertTo(".safetensors"), InferWith(Pt) }),
            (StateDict(Safetensors, Path.GetFileName(weights[Safetensors]), File.ReadAllBytes(weights[Safetensors])), new[] { ConvertTo(".pt"), InferWith(Safetensors) }),
            (Checkpoint("last.ckpt", File.ReadAllBytes(checkpoint)), new[] { resume }),
            (Dataset(_directory), new[] { trainData, evaluateData }),
        };
        _output.WriteLine(string.Create(Invariant, $"set-up (weights, a 2-step training run for the checkpoint) {clock.Elapsed.TotalSeconds:F1} s"));

        var cases = new List<CliCase>();
        foreach (var (set, verbs) in sets)
        {
            var started = clock.Elapsed;
            var originals = verbs.ToDictionary(verb => verb, verb => OriginalResult(set, verb));
            var random = new Random(SubsetSeed);
            var subset = set.Cases.OrderBy(_ => random.Next()).Take(CasesPerKind).ToList();
            for (var i = 0; i < subset.Count; i++)
            {
                var verb = verbs[i % verbs.Length];
                cases.Add(Run(subset[i], verb, originals[verb]));
            }

            _output.WriteLine(string.Create(Invariant, $"{set.Kind}: {subset.Count} of {set.Cases.Count} cases through {string.Join(" and ", verbs.Select(v => v.Name))} in {(clock.Elapsed - started).TotalSeconds:F1} s"));
        }

        var results = cases.Select(c => c.Result).ToList();
        var lines = CorruptionTally.Lines(results);
        foreach (var line in lines)
        {
            _output.WriteLine(line);
        }

        Console.WriteLine("CLI " + lines[^1]);
        CorruptionTally.AssertNoFailures(results);
        Assert.Equal(sets.Length * CasesPerKind, results.Count);

        // One refused case of each kind again, through the unetr executable: the same one line, the refusal's exit code.
        foreach (var kind in sets.Select(s => s.Set.Kind))
        {
            var refused = cases.FirstOrDefault(c => c.Result.Case.Kind == kind && c.Result.Outcome == CorruptionOutcome.Refused);
            Assert.True(refused is not null, $"no {kind} case was refused");
            var started = clock.Elapsed;
            var (exitCode, _, error) = BuiltTool.Run("unetr", refused.Arguments);
            _output.WriteLine(string.Create(Invariant, $"unetr {refused.Arguments[0]} on {refused.Result.Case}: exit {exitCode}, {(clock.Elapsed - started).TotalSeconds:F1} s: {error.Trim()}"));
            Assert.True(exitCode == 2, $"{refused.Result.Case}: exit {exitCode}\n{error}");
            Assert.Equal(refused.Error.Trim(), error.Trim());
            Assert.Empty(CorruptionTally.NewFiles(refused.Folder, refused.Result.Case.Files.Keys.Select(name => Path.GetFullPath(Path.Combine(refused.Folder, name))).ToHashSet()));
        }
    }

    /// <summary>The result of <paramref name="verb"/> on the set's valid files, which must be accepted.</summary>
    private string OriginalResult(CorruptionSet set, Verb verb)
    {
        var folder = Path.Combine(_directory, $"{set.Kind.Replace('.', '-')}-original-{verb.Name.Replace(' ', '-')}");
        CorruptionTally.Write(folder, set.Original);
        var run = CliRun.Of(verb.Arguments(folder));
        Assert.True(run.ExitCode == 0, $"{verb.Name} on the valid {set.Kind}: {run}");
        return verb.Result(folder, run);
    }

    private CliCase Run(CorruptCase corrupt, Verb verb, string original)
    {
        var folder = Path.Combine(_directory, $"{corrupt.Kind.Replace('.', '-')}-{corrupt.Seed}");
        var written = CorruptionTally.Write(folder, corrupt.Files);
        var arguments = verb.Arguments(folder);
        CliRun run;
        try
        {
            run = CliRun.Of(arguments);
        }
#pragma warning disable CA1031 // An exception out of the command line is what the suite counts as a crash.
        catch (Exception thrown)
#pragma warning restore CA1031
        {
            return new CliCase(new CorruptionResult(corrupt, CorruptionOutcome.Crash, $"{verb.Name} threw {thrown.GetType().FullName}: {thrown.Message.Split('\n')[0]}"), folder, arguments, "");
        }

        CorruptionOutcome outcome;
        string detail;
        var error = run.Error.Trim();
        if (run.ExitCode == 0)
        {
            outcome = verb.Result(folder, run) == original ? CorruptionOutcome.Unchanged : CorruptionOutcome.Silent;
            detail = outcome == CorruptionOutcome.Silent ? $"{verb.Name} accepted it, and its result differs from the original's" : "";
            var temporaries = Directory.EnumerateFiles(folder, "*.tmp", SearchOption.AllDirectories).ToList();
            if (temporaries.Count > 0 && outcome == CorruptionOutcome.Unchanged)
            {
                (outcome, detail) = (CorruptionOutcome.Leftover, "left " + string.Join(", ", temporaries.Select(Path.GetFileName)));
            }

            return new CliCase(new CorruptionResult(corrupt, outcome, detail), folder, arguments, run.Error);
        }

        var clear = run.ExitCode == 2 && error.Length > 0 && !error.Contains('\n') && CorruptionTally.NamesAFile(error, written);
        outcome = clear ? CorruptionOutcome.Refused : CorruptionOutcome.Crash;
        detail = $"{verb.Name}: exit {run.ExitCode}: {error.Split('\n')[0]}{(error.Contains('\n') ? $" (and {error.Split('\n').Length - 1} more lines)" : "")}";
        var leftovers = CorruptionTally.NewFiles(folder, written);
        if (leftovers.Count > 0 && outcome == CorruptionOutcome.Refused)
        {
            (outcome, detail) = (CorruptionOutcome.Leftover, $"{verb.Name} failed and left " + string.Join(", ", leftovers.Select(path => Path.GetRelativePath(folder, path))));
        }

        return new CliCase(new CorruptionResult(corrupt, outcome, detail), folder, arguments, run.Error);
    }

    /// <summary>A finished 2-step run's <c>last.ckpt</c> (the resumed cases continue it to step 3).</summary>
    private string TrainedCheckpoint()
    {
        var folder = Path.Combine(_setup, "run");
        var run = CliRun.Of(Train(folder, "--steps", "2"));
        Assert.True(run.ExitCode == 0, run.ToString());
        return Path.Combine(folder, "out", CheckpointFiles.Last);
    }

    private static string[] Train(string folder, params string[] more) =>
        new[]
        {
            "train", "--warmup", "1", "--validate-every", "2", "--batch-size", "1", "--train-volumes", "2", "--validation-volumes", "1",
            "--test-volumes", "1", "--log-every", "10", "--seed", "16", "--output", Path.Combine(folder, "out"),
        }.Concat(more).ToArray();

    private static string[] Infer(string folder, string weights, string input) =>
        new[]
        {
            "infer", "--model", Model, "--weights", weights, "--input", input,
            "--output", Path.Combine(folder, "out", "labels.nii.gz"), "--overlay", Path.Combine(folder, "out", "overlay.png"),
        };

    /// <summary>Names of the files directly in <paramref name="folder"/> (a case of one file has one).</summary>
    private static IEnumerable<string> Files(string folder) => Directory.EnumerateFiles(folder).Select(Path.GetFileName)!;

    // ------------------------------------------------------------ results of accepted runs

    private static string LabelVoxels(string folder)
    {
        var image = NiftiFile.Read(Path.Combine(folder, "out", "labels.nii.gz"));
        using var voxels = image.ToTensor(dtype: ScalarType.Float64);
        return $"[{string.Join(", ", image.Header.Dimensions)}] {Hash(voxels)}";
    }

    private static string Tensors(string path)
    {
        using var network = new TinyMonaiUnetr();
        StateDictLoader.Load(network, path);
        return string.Join("\n", network.state_dict().Select(entry => $"{entry.Key} {Hash(entry.Value)}"));
    }

    private static string DiceLines(CliRun run) =>
        string.Join("\n", run.Output.Split('\n').Where(line => line.Contains("Dice", StringComparison.Ordinal)).Select(line => Regex.Replace(line, @", in [0-9.]+ s\.", ".")));

    private static string TrainingResult(string folder)
    {
        var output = Path.Combine(folder, "out");
        return File.ReadAllText(Path.Combine(output, "curves.csv")) + Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Path.Combine(output, CheckpointFiles.Last))));
    }

    private static string Hash(Tensor tensor)
    {
        using var scope = NewDisposeScope();
        var values = tensor.detach().to_type(ScalarType.Float64).contiguous().data<double>().ToArray();
        return $"[{string.Join(", ", tensor.shape)}] {Convert.ToHexString(SHA256.HashData(MemoryMarshal.AsBytes(values.AsSpan())))}";
    }
}
