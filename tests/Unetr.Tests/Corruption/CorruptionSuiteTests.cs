using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Unetr.Dsl;
using Unetr.Model.Blocks.Monai;
using Unetr.Model.Checkpoints;
using Unetr.Model.Data;
using Unetr.Model.Data.Nifti;
using Unetr.Model.Data.Sources;
using Unetr.Model.Training;
using Unetr.Tests.Generator;
using Unetr.Tests.Training;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;
using static Unetr.Tests.Corruption.CorruptionCases;

namespace Unetr.Tests.Corruption;

/// <summary>
/// Issue 16's corruption suite: a few hundred seeded corruptions (<see cref="CorruptionCases"/>) of small valid NIfTI,
/// <c>.pt</c>, <c>.safetensors</c>, <c>.ckpt</c> and <c>dataset.json</c> inputs, each read through the library's entry
/// point and classified. A clear refusal or an acceptance whose decoded content equals the original's is fine; a silent
/// change, a crash (another exception type, or a message of several lines or not naming the file) or a file left in the
/// case's folder fails. <see cref="CliCorruptionSuiteTests"/> runs the same recipes through the command line.
/// </summary>
[Collection(TrainingCollection.Name)]
public sealed class CorruptionSuiteTests : IDisposable
{
    private static readonly Type[] ClearErrors =
    {
        typeof(NiftiFormatException), typeof(InvalidDataException), typeof(DatasetException), typeof(CheckpointMismatchException),
    };

    private readonly ITestOutputHelper _output;
    private readonly string _directory = Directory.CreateTempSubdirectory("unetr-corruption-").FullName;

    public CorruptionSuiteTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Corrupted_inputs_are_refused_clearly_or_decode_unchanged()
    {
        var results = new List<CorruptionResult>();
        results.AddRange(RunNifti(compressed: false));
        results.AddRange(RunNifti(compressed: true));
        results.AddRange(RunStateDict(Pt));
        results.AddRange(RunStateDict(Safetensors));
        results.AddRange(RunCheckpoint());
        results.AddRange(RunDataset());

        var lines = CorruptionTally.Lines(results);
        foreach (var line in lines)
        {
            _output.WriteLine(line);
        }

        Console.WriteLine(lines[^1]);
        CorruptionTally.AssertNoFailures(results);
        Assert.True(results.Count >= 300, $"only {results.Count} cases");
        Assert.Contains(results, r => r.Outcome == CorruptionOutcome.Refused);
    }

    /// <summary>Writes the case's files to a folder of its own, decodes it, and classifies what happened.</summary>
    /// <param name="decodeUnchanged">Reads the case's folder through the entry point; returns whether the decoded content equals the original's.</param>
    private CorruptionResult Run(CorruptCase corrupt, Func<string, bool> decodeUnchanged)
    {
        var folder = Path.Combine(_directory, $"{corrupt.Kind.Replace('.', '-')}-{corrupt.Seed}");
        var written = CorruptionTally.Write(folder, corrupt.Files);
        CorruptionOutcome outcome;
        string detail;
        try
        {
            outcome = decodeUnchanged(folder) ? CorruptionOutcome.Unchanged : CorruptionOutcome.Silent;
            detail = outcome == CorruptionOutcome.Silent ? "accepted, but the decoded content differs from the original's" : "";
        }
        catch (Exception error) when (ClearErrors.Contains(error.GetType()))
        {
            outcome = !error.Message.Contains('\n') && CorruptionTally.NamesAFile(error.Message, written) ? CorruptionOutcome.Refused : CorruptionOutcome.Crash;
            detail = $"{error.GetType().Name}: {error.Message}";
        }
#pragma warning disable CA1031 // Any other exception is what the suite counts as a crash.
        catch (Exception error)
#pragma warning restore CA1031
        {
            outcome = CorruptionOutcome.Crash;
            detail = $"{error.GetType().FullName}: {error.Message.Split('\n')[0]}";
        }

        var leftovers = CorruptionTally.NewFiles(folder, written);
        if (leftovers.Count > 0 && outcome != CorruptionOutcome.Silent && outcome != CorruptionOutcome.Crash)
        {
            outcome = CorruptionOutcome.Leftover;
            detail = "left " + string.Join(", ", leftovers.Select(Path.GetFileName));
        }

        return new CorruptionResult(corrupt, outcome, detail);
    }

    /// <summary>Same shape, type and values (NaN differs from everything).</summary>
    private static bool Same(Tensor actual, Tensor expected)
    {
        using var scope = NewDisposeScope();
        return actual.shape.SequenceEqual(expected.shape) && actual.dtype == expected.dtype && actual.eq(expected).all().item<bool>();
    }

    // ---------------------------------------------------------------- NIfTI

    private IEnumerable<CorruptionResult> RunNifti(bool compressed)
    {
        var fileName = VolumeFile(compressed);
        var set = Volume(_directory, compressed);

        // Expected content, from the values written, not from the reader.
        using var expected = tensor(Enumerable.Range(0, VolumeZ).SelectMany(z => Enumerable.Range(0, VolumeY).SelectMany(y => Enumerable.Range(0, VolumeX)
            .Select(x => (float)VoxelValue(x, y, z)))).ToArray()).reshape(VolumeZ, VolumeY, VolumeX);

        foreach (var corrupt in set.Cases)
        {
            yield return Run(corrupt, folder =>
            {
                var path = Path.Combine(folder, fileName);
                var image = NiftiFile.Read(path);
                using var voxels = image.ToTensor();
                NonFiniteVoxelCheck.Apply(voxels, path, NonFiniteVoxels.Refuse);
                return Same(voxels, expected);
            });
        }
    }

    // ---------------------------------------------------------------- .pt and .safetensors

    private static TransformerBlock NewBlock() => new(12, 24, 3, 0.0, qkvBias: false, MlpActivation.Gelu);

    private static string Fixture(string fileName) =>
        RepositoryFiles.PathOf("tests", "Unetr.Tests", "Checkpoints", "Fixtures", fileName);

    private IEnumerable<CorruptionResult> RunStateDict(string kind)
    {
        var fileName = $"monai_block.{kind}";
        using var reference = NewBlock();
        StateDictLoader.Load(reference, Fixture(fileName));
        var expected = reference.state_dict().ToDictionary(entry => entry.Key, entry => entry.Value.detach().clone());

        foreach (var corrupt in StateDict(kind, fileName, File.ReadAllBytes(Fixture(fileName))).Cases)
        {
            yield return Run(corrupt, folder =>
            {
                using var block = NewBlock();
                StateDictLoader.Load(block, Path.Combine(folder, fileName));
                var loaded = block.state_dict();
                return loaded.Count == expected.Count && loaded.All(entry => expected.TryGetValue(entry.Key, out var value) && Same(entry.Value, value));
            });
        }

        foreach (var value in expected.Values)
        {
            value.Dispose();
        }
    }

    // ---------------------------------------------------------------- .ckpt

    private static readonly TrainingOptions TinyOptions = new() { Steps = 4, BatchSize = 1, LearningRate = 3e-3, WarmupSteps = 1, ValidateEvery = 4, Seed = 16 };

    private static readonly SyntheticDataset TinyVolumes = SyntheticDataset.Training(2, 16);

    private static Trainer NewTrainer() => new(() => new TrainableTinyNet(), TrainableTinyNet.InputShape, TinyVolumes, TinyOptions);

    private IEnumerable<CorruptionResult> RunCheckpoint()
    {
        const string fileName = "tiny.ckpt";
        var originalPath = Path.Combine(_directory, "original", fileName);
        Directory.CreateDirectory(Path.GetDirectoryName(originalPath)!);
        Dictionary<string, Tensor> expected;
        long expectedStep;
        using (var trainer = NewTrainer())
        {
            trainer.TrainStep();
            trainer.TrainStep();
            trainer.SaveCheckpoint(originalPath);
            expected = trainer.Model.state_dict().ToDictionary(entry => entry.Key, entry => entry.Value.detach().clone());
            expectedStep = trainer.Step;
        }

        foreach (var corrupt in Checkpoint(fileName, File.ReadAllBytes(originalPath)).Cases)
        {
            yield return Run(corrupt, folder =>
            {
                using var trainer = NewTrainer();
                trainer.LoadCheckpoint(Path.Combine(folder, fileName));
                var loaded = trainer.Model.state_dict();
                return trainer.Step == expectedStep && loaded.Count == expected.Count
                    && loaded.All(entry => expected.TryGetValue(entry.Key, out var value) && Same(entry.Value, value));
            });
        }

        foreach (var value in expected.Values)
        {
            value.Dispose();
        }
    }

    // ---------------------------------------------------------------- dataset.json

    private IEnumerable<CorruptionResult> RunDataset()
    {
        // Expected voxels from the functions written, [z, y, x] with a channel axis for images.
        Tensor Grid(Func<long, long, long, float> f) =>
            tensor(Enumerable.Range(0, DatasetSize).SelectMany(z => Enumerable.Range(0, DatasetSize).SelectMany(y => Enumerable.Range(0, DatasetSize).Select(x => f(x, y, z)))).ToArray())
                .reshape(DatasetSize, DatasetSize, DatasetSize);

        foreach (var corrupt in Dataset(_directory).Cases)
        {
            yield return Run(corrupt, folder =>
            {
                using var splits = SegmentationDatasets.Open(Path.Combine(folder, "dataset.json"));
                var sets = new[] { (splits.Training, new[] { 0, 1 }), (splits.Validation, new[] { 2 }) };
                var same = splits.ClassNames.Count == 3 && splits.InputChannels == 1;
                foreach (var (set, indices) in sets)
                {
                    same &= set.Count == indices.Length;
                    for (var i = 0; same && i < set.Count; i++)
                    {
                        // The scope frees the volume's copies, the expected grids and the reshaped views.
                        using var scope = NewDisposeScope();
                        var volume = indices[i];
                        var (image, label) = set.Get(i);
                        var expectedImage = Grid((x, y, z) => ImageValue(volume, x, y, z));
                        var expectedLabel = Grid((x, y, z) => LabelValue(volume, x, y, z));
                        same &= image.numel() == expectedImage.numel() && Same(image.reshape(DatasetSize, DatasetSize, DatasetSize), expectedImage)
                            && label.numel() == expectedLabel.numel() && Same(label.reshape(DatasetSize, DatasetSize, DatasetSize).to_type(ScalarType.Float32), expectedLabel);
                    }
                }

                return same;
            });
        }
    }
}
