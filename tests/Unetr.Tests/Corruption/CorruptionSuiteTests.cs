using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Unetr.Dsl;
using Unetr.Model.Blocks.Monai;
using Unetr.Model.Checkpoints;
using Unetr.Model.Data;
using Unetr.Model.Data.Nifti;
using Unetr.Model.Data.Sources;
using Unetr.Model.Training;
using Unetr.Tests.Data;
using Unetr.Tests.Generator;
using Unetr.Tests.Training;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Unetr.Tests.Corruption;

/// <summary>
/// Issue 16's corruption suite: a few hundred seeded corruptions of small valid NIfTI, <c>.pt</c>, <c>.safetensors</c>,
/// <c>.ckpt</c> and <c>dataset.json</c> inputs, each read through the library's entry point and classified. A clear
/// refusal or an acceptance whose decoded content equals the original's is fine; a silent change, a crash (another
/// exception type, or a message of several lines or not naming the file) or a file left in the case's folder fails.
/// </summary>
/// <remarks>
/// Not generated, because the formats carry no integrity check for them: byte flips in the voxels of an uncompressed
/// <c>.nii</c> or in its geometry and scaling fields, in the tensor data of a <c>.safetensors</c>, and edits of
/// <c>dataset.json</c> that keep it valid JSON naming other existing files. Such changes are indistinguishable from
/// a different valid file.
/// </remarks>
[Collection(TrainingCollection.Name)]
public sealed class CorruptionSuiteTests : IDisposable
{
    private enum Outcome { Refused, Unchanged, Silent, Crash, Leftover }

    private const string Nii = "nii";
    private const string NiiGz = "nii.gz";
    private const string Pt = "pt";
    private const string Safetensors = "safetensors";
    private const string Ckpt = "ckpt";
    private const string DatasetJsonKind = "dataset.json";

    // NIfTI-1 header offsets (bytes).
    private const int DimOffset = 40;
    private const int DataTypeOffset = 70;
    private const int BitPixOffset = 72;
    private const int VoxOffsetOffset = 108;
    private const int SclSlopeOffset = 112;
    private const int MagicOffset = 344;

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
        var results = new List<(CorruptCase Case, Outcome Outcome, string Detail)>();
        results.AddRange(RunNifti(compressed: false));
        results.AddRange(RunNifti(compressed: true));
        results.AddRange(RunStateDict(Pt));
        results.AddRange(RunStateDict(Safetensors));
        results.AddRange(RunCheckpoint());
        results.AddRange(RunDataset());

        var lines = results.GroupBy(r => r.Case.Kind).Select(g => Summary(g.Key, g.Select(r => r.Outcome).ToList())).ToList();
        var total = Summary("total", results.Select(r => r.Outcome).ToList());
        foreach (var line in lines)
        {
            _output.WriteLine(line);
        }

        _output.WriteLine(total);
        Console.WriteLine(total);

        var failures = results.Where(r => r.Outcome is Outcome.Silent or Outcome.Crash or Outcome.Leftover).ToList();
        Assert.True(failures.Count == 0,
            $"{total}{Environment.NewLine}" + string.Join(Environment.NewLine, failures.Take(8).Select(f => $"{f.Outcome}: {f.Case}: {f.Detail}")));
        Assert.True(results.Count >= 300, $"only {results.Count} cases");
        Assert.Contains(results, r => r.Outcome == Outcome.Refused);
    }

    private static string Summary(string kind, IReadOnlyList<Outcome> outcomes) => string.Create(CultureInfo.InvariantCulture,
        $"{kind}: cases {outcomes.Count}, refused clearly {outcomes.Count(o => o == Outcome.Refused)}, accepted unchanged {outcomes.Count(o => o == Outcome.Unchanged)}, "
        + $"silent changes {outcomes.Count(o => o == Outcome.Silent)}, crashes {outcomes.Count(o => o == Outcome.Crash)}, leftovers {outcomes.Count(o => o == Outcome.Leftover)}");

    /// <summary>Writes the case's files to a folder of its own, decodes it, and classifies what happened.</summary>
    /// <param name="decodeUnchanged">Reads the case's folder through the entry point; returns whether the decoded content equals the original's.</param>
    private (CorruptCase, Outcome, string) Run(CorruptCase corrupt, Func<string, bool> decodeUnchanged)
    {
        var folder = Path.Combine(_directory, $"{corrupt.Kind.Replace('.', '-')}-{corrupt.Seed}");
        foreach (var (name, bytes) in corrupt.Files)
        {
            var path = Path.Combine(folder, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, bytes);
        }

        var written = corrupt.Files.Keys.Select(name => Path.GetFullPath(Path.Combine(folder, name))).ToHashSet();
        Outcome outcome;
        string detail;
        try
        {
            outcome = decodeUnchanged(folder) ? Outcome.Unchanged : Outcome.Silent;
            detail = outcome == Outcome.Silent ? "accepted, but the decoded content differs from the original's" : "";
        }
        catch (Exception error) when (ClearErrors.Contains(error.GetType()))
        {
            var namesFile = written.Any(path => error.Message.Contains(Path.GetFileName(path), StringComparison.Ordinal));
            outcome = !error.Message.Contains('\n') && namesFile ? Outcome.Refused : Outcome.Crash;
            detail = $"{error.GetType().Name}: {error.Message}";
        }
#pragma warning disable CA1031 // Any other exception is what the suite counts as a crash.
        catch (Exception error)
#pragma warning restore CA1031
        {
            outcome = Outcome.Crash;
            detail = $"{error.GetType().FullName}: {error.Message.Split('\n')[0]}";
        }

        var leftovers = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Where(path => !written.Contains(Path.GetFullPath(path))).ToList();
        if (leftovers.Count > 0 && outcome != Outcome.Silent && outcome != Outcome.Crash)
        {
            outcome = Outcome.Leftover;
            detail = "left " + string.Join(", ", leftovers.Select(Path.GetFileName));
        }

        return (corrupt, outcome, detail);
    }

    /// <summary>Same shape, type and values (NaN differs from everything).</summary>
    private static bool Same(Tensor actual, Tensor expected)
    {
        using var scope = NewDisposeScope();
        return actual.shape.SequenceEqual(expected.shape) && actual.dtype == expected.dtype && actual.eq(expected).all().item<bool>();
    }

    // ---------------------------------------------------------------- NIfTI

    private static double VoxelValue(long x, long y, long z) => 1.5 + x + 10 * y + 100 * z;

    private IEnumerable<(CorruptCase, Outcome, string)> RunNifti(bool compressed)
    {
        var kind = compressed ? NiiGz : Nii;
        var fileName = compressed ? "volume.nii.gz" : "volume.nii";
        var originalPath = NiftiVolumes.Write(Path.Combine(_directory, "original", fileName), 6, 5, 4, (_, x, y, z) => VoxelValue(x, y, z));
        var bytes = File.ReadAllBytes(originalPath);
        var raw = compressed
            ? File.ReadAllBytes(NiftiVolumes.Write(Path.Combine(_directory, "original", "raw.nii"), 6, 5, 4, (_, x, y, z) => VoxelValue(x, y, z)))
            : bytes;
        Assert.Equal(348, BitConverter.ToInt32(raw, 0)); // NIfTI-1, little-endian: the offsets below apply
        var voxOffset = (int)BitConverter.ToSingle(raw, VoxOffsetOffset);
        Assert.Equal(raw.Length, voxOffset + 6 * 5 * 4 * 4);

        // Expected content, from the values written, not from the reader.
        using var expected = tensor(Enumerable.Range(0, 4).SelectMany(z => Enumerable.Range(0, 5).SelectMany(y => Enumerable.Range(0, 6)
            .Select(x => (float)VoxelValue(x, y, z)))).ToArray()).reshape(4, 5, 6);

        var generator = new CorruptionGenerator(kind, fileName, bytes, compressed ? 2000 : 1000);
        // The generator edits the uncompressed image for field changes; a .nii.gz case compresses the result again.
        Func<byte[], byte[]> pack = compressed ? CorruptionGenerator.Gzip : b => b;
        void Field(string description, int offset, byte[] value) =>
            generator.Edit(description, _ => { var b = (byte[])raw.Clone(); value.CopyTo(b, offset); return pack(b); });
        void Voxel(string description, int index, float value) =>
            Field(description, voxOffset + 4 * index, BitConverter.GetBytes(value));

        generator.Truncations(compressed ? 40 : 30, 0, 1, 4, 347, 348, voxOffset, bytes.Length - 1, bytes.Length - 4, bytes.Length - 8);
        if (compressed)
        {
            generator.Flips("gzip header", 0, 10, 15).Flips("deflate data", 10, bytes.Length - 8, 40).Flips("gzip trailer", bytes.Length - 8, bytes.Length, 10);
            generator.Edit("trailing garbage after the gzip member", b => b.Concat(new byte[] { 0x13, 0x37, 0, 1 }).ToArray());
            generator.Edit("a second gzip member of a header alone", b => b.Concat(CorruptionGenerator.Gzip(raw[..348])).ToArray());
        }
        else
        {
            // Structural fields the reader checks, and fields it ignores (db_name, data_type, extents, descrip, aux_file, intent_name).
            generator.Flips("sizeof_hdr", 0, 4, 4).Flips("dim", DimOffset, DimOffset + 16, 14).Flips("datatype/bitpix", DataTypeOffset, BitPixOffset + 2, 10)
                .Flips("vox_offset", VoxOffsetOffset, VoxOffsetOffset + 4, 6).Flips("magic", MagicOffset, MagicOffset + 4, 6)
                .Flips("unused header fields", 4, 38, 8).Flips("descrip/aux_file", 148, 252, 8).Flips("intent_name", 328, 344, 4);
        }

        Field("dim[0] = 0", DimOffset, BitConverter.GetBytes((short)0));
        Field("dim[0] = 9", DimOffset, BitConverter.GetBytes((short)9));
        Field("dim[1] = 7 (a lying length: more voxels than stored)", DimOffset + 2, BitConverter.GetBytes((short)7));
        Field("dim[3] = 3 (a lying length: fewer voxels than stored)", DimOffset + 6, BitConverter.GetBytes((short)3));
        Field("dim[2] = -5", DimOffset + 4, BitConverter.GetBytes((short)-5));
        Field("dim[3] = 32767", DimOffset + 6, BitConverter.GetBytes((short)32767));
        Field("vox_offset = 0", VoxOffsetOffset, BitConverter.GetBytes(0f));
        Field("vox_offset = 356 (past the data start)", VoxOffsetOffset, BitConverter.GetBytes(356f));
        Field("vox_offset = 1e9", VoxOffsetOffset, BitConverter.GetBytes(1e9f));
        Field("vox_offset = NaN", VoxOffsetOffset, BitConverter.GetBytes(float.NaN));
        Field("bitpix = 64 with float32", BitPixOffset, BitConverter.GetBytes((short)64));
        Field("datatype = 64 (float64) with bitpix 32", DataTypeOffset, BitConverter.GetBytes((short)64));
        Field("datatype = 1234", DataTypeOffset, BitConverter.GetBytes((short)1234));
        Field("sizeof_hdr = 540", 0, BitConverter.GetBytes(540));
        Field("scl_slope = 1e38 (overflows float32)", SclSlopeOffset, BitConverter.GetBytes(1e38f));
        Field("scl_slope = NaN", SclSlopeOffset, BitConverter.GetBytes(float.NaN));
        foreach (var (index, value, name) in new[] { (0, float.NaN, "NaN"), (59, float.PositiveInfinity, "+inf"), (119, float.NegativeInfinity, "-inf"), (33, float.NaN, "NaN") })
        {
            Voxel($"voxel {index} = {name}", index, value);
        }

        Field("every voxel NaN", voxOffset, Enumerable.Range(0, 120).SelectMany(_ => BitConverter.GetBytes(float.NaN)).ToArray());

        foreach (var corrupt in generator.Cases)
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

    private IEnumerable<(CorruptCase, Outcome, string)> RunStateDict(string kind)
    {
        var fileName = $"monai_block.{kind}";
        var bytes = File.ReadAllBytes(Fixture(fileName));
        using var reference = NewBlock();
        StateDictLoader.Load(reference, Fixture(fileName));
        var expected = reference.state_dict().ToDictionary(entry => entry.Key, entry => entry.Value.detach().clone());

        var generator = new CorruptionGenerator(kind, fileName, bytes, kind == Pt ? 3000 : 4000);
        if (kind == Pt)
        {
            var locals = CorruptionGenerator.Signatures(bytes, 0x04034b50).ToList();
            var centrals = CorruptionGenerator.Signatures(bytes, 0x02014b50).ToList();
            var end = CorruptionGenerator.Signatures(bytes, 0x06054b50).Last();
            generator.Truncations(40, 0, 1, 4, 30, end, end + 4, bytes.Length - 1)
                .Flips("anywhere", 0, bytes.Length, 60)
                .Flips("central directory", centrals[0], bytes.Length, 20)
                .Flips("first local header", locals[0], locals[0] + 30, 10);
            foreach (var local in locals.Take(4))
            {
                generator.Overwrite($"local header at {local}: compressed size + 7", local + 18, BitConverter.GetBytes(BitConverter.ToUInt32(bytes, local + 18) + 7));
                generator.Overwrite($"local header at {local}: crc zeroed", local + 14, new byte[4]);
            }

            foreach (var central in centrals.Take(4))
            {
                generator.Overwrite($"central header at {central}: sizes - 4", central + 20, BitConverter.GetBytes(BitConverter.ToUInt32(bytes, central + 20) - 4).Concat(BitConverter.GetBytes(BitConverter.ToUInt32(bytes, central + 24) - 4)).ToArray());
                generator.Overwrite($"central header at {central}: local header offset + 64", central + 42, BitConverter.GetBytes(BitConverter.ToUInt32(bytes, central + 42) + 64));
            }

            generator.Overwrite("end of central directory: directory offset - 1", end + 16, BitConverter.GetBytes(BitConverter.ToUInt32(bytes, end + 16) - 1));
            generator.Overwrite("end of central directory: entry count 1", end + 8, new byte[] { 1, 0, 1, 0 });
        }
        else
        {
            var headerLength = (int)BitConverter.ToUInt64(bytes, 0);
            var dataStart = 8 + headerLength;
            generator.Truncations(40, 0, 1, 7, 8, dataStart - 1, dataStart, bytes.Length - 1, bytes.Length - 4)
                .Flips("length field", 0, 8, 12)
                .Flips("JSON header", 8, dataStart, 60);
            foreach (var change in new long[] { -8, -1, 1, 8, bytes.Length, long.MaxValue - headerLength })
            {
                generator.Overwrite($"header length {change:+#;-#}", 0, BitConverter.GetBytes((ulong)(headerLength + change)));
            }

            generator.Edit("four extra data bytes", b => b.Concat(new byte[4]).ToArray());
        }

        foreach (var corrupt in generator.Cases)
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

    private IEnumerable<(CorruptCase, Outcome, string)> RunCheckpoint()
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

        var bytes = File.ReadAllBytes(originalPath);
        var generator = new CorruptionGenerator(Ckpt, fileName, bytes, 5000)
            .Truncations(20, 0, 1, 8, 16, bytes.Length - 1, bytes.Length - 32)
            .Flips("first 64 bytes", 0, 64, 10)
            .Flips("anywhere", 0, bytes.Length, 20)
            .Flips("last 64 bytes", bytes.Length - 64, bytes.Length, 6)
            .Edit("four extra bytes", b => b.Concat(new byte[4]).ToArray());

        foreach (var corrupt in generator.Cases)
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

    private const string DatasetText = """
        {
          "name": "corruption",
          "labels": { "0": "background", "1": "organ" },
          "modality": { "0": "CT" },
          "training": [
            { "image": "./imagesTr/a.nii.gz", "label": "./labelsTr/a.nii.gz" },
            { "image": "./imagesTr/b.nii.gz", "label": "./labelsTr/b.nii.gz" }
          ],
          "validation": [
            { "image": "./imagesTr/c.nii.gz", "label": "./labelsTr/c.nii.gz" }
          ]
        }
        """;

    private static float ImageValue(int volume, long x, long y, long z) => volume * 1000 + x + 8 * y + 64 * z;

    private static int LabelValue(int volume, long x, long y, long z) => (x + y + z + volume) % 3 == 0 ? 1 : 0;

    private IEnumerable<(CorruptCase, Outcome, string)> RunDataset()
    {
        var originals = Path.Combine(_directory, "original-dataset");
        var volumes = new Dictionary<string, byte[]>();
        foreach (var (name, index) in new[] { ("a", 0), ("b", 1), ("c", 2) })
        {
            var image = NiftiVolumes.Write(Path.Combine(originals, "imagesTr", $"{name}.nii.gz"), 8, 8, 8, (_, x, y, z) => ImageValue(index, x, y, z));
            var label = NiftiVolumes.WriteLabel(Path.Combine(originals, "labelsTr", $"{name}.nii.gz"), 8, 8, 8, (x, y, z) => LabelValue(index, x, y, z));
            volumes[$"imagesTr/{name}.nii.gz"] = File.ReadAllBytes(image);
            volumes[$"labelsTr/{name}.nii.gz"] = File.ReadAllBytes(label);
        }

        // Expected voxels from the functions written, [z, y, x] with a channel axis for images.
        Tensor Grid(Func<long, long, long, float> f) =>
            tensor(Enumerable.Range(0, 8).SelectMany(z => Enumerable.Range(0, 8).SelectMany(y => Enumerable.Range(0, 8).Select(x => f(x, y, z)))).ToArray()).reshape(8, 8, 8);

        var json = Encoding.UTF8.GetBytes(DatasetText);
        var cases = new List<CorruptCase>();
        var seed = 6000;
        void Add(string description, byte[] text, Func<Dictionary<string, byte[]>, Dictionary<string, byte[]>>? files = null)
        {
            var all = new Dictionary<string, byte[]>(volumes) { ["dataset.json"] = text };
            cases.Add(new CorruptCase(DatasetJsonKind, seed++, description, files is null ? all : files(all)));
        }

        foreach (var corrupt in new CorruptionGenerator(DatasetJsonKind, "dataset.json", json, 0).Truncations(25, 0, 1, json.Length / 2).Cases)
        {
            Add(corrupt.Description, corrupt.Files["dataset.json"]);
        }

        var structural = Enumerable.Range(0, json.Length).Where(i => "{}[]:,\"".Contains((char)json[i])).ToArray();
        var random = new Random(16);
        for (var i = 0; i < 20; i++)
        {
            var offset = structural[random.Next(structural.Length)];
            var flipped = (byte[])json.Clone();
            flipped[offset] ^= 0x01;
            Add($"byte {offset} ('{(char)json[offset]}') XOR 0x01", flipped);
        }

        void Text(string description, string text) => Add(description, Encoding.UTF8.GetBytes(text));
        Text("not JSON at all", "image,label\na.nii.gz,a.nii.gz\n");
        Text("a list at the top level", "[1, 2, 3]");
        Text("no training list", DatasetText.Replace("\"training\"", "\"trainig\"", StringComparison.Ordinal));
        Text("training is a string", """{ "training": "imagesTr" }""");
        Text("an entry without a label", DatasetText.Replace("\"label\": \"./labelsTr/b.nii.gz\"", "\"lable\": \"./labelsTr/b.nii.gz\"", StringComparison.Ordinal));
        Text("an image that is a number", DatasetText.Replace("\"./imagesTr/a.nii.gz\"", "42", StringComparison.Ordinal));
        Text("labels that are a list", DatasetText.Replace("{ \"0\": \"background\", \"1\": \"organ\" }", "[\"background\", \"organ\"]", StringComparison.Ordinal));
        Text("a label number that is not a number", DatasetText.Replace("\"1\": \"organ\"", "\"one\": \"organ\"", StringComparison.Ordinal));
        Text("an image path that names no file", DatasetText.Replace("imagesTr/b.nii.gz", "imagesTr/x.nii.gz", StringComparison.Ordinal));
        Text("an empty validation list and one training volume", """{ "training": [ { "image": "./imagesTr/a.nii.gz", "label": "./labelsTr/a.nii.gz" } ], "validation": [] }""");
        Text("only one class listed for a label map holding 1", DatasetText.Replace(", \"1\": \"organ\"", "", StringComparison.Ordinal));
        Text("empty file", "");
        foreach (var file in volumes.Keys)
        {
            Add($"missing {file}", json, all => { all.Remove(file); return all; });
        }

        Add("an image that is a truncated gzip", json, all => { all["imagesTr/b.nii.gz"] = all["imagesTr/b.nii.gz"][..100]; return all; });
        Add("a label that is empty", json, all => { all["labelsTr/c.nii.gz"] = Array.Empty<byte>(); return all; });
        Add("an image with a NaN voxel", json, all =>
        {
            var raw = NiftiVolumes.Write(Path.Combine(originals, "nan.nii"), 8, 8, 8, (_, x, y, z) => x == 3 && y == 2 && z == 1 ? double.NaN : ImageValue(0, x, y, z));
            all["imagesTr/a.nii.gz"] = CorruptionGenerator.Gzip(File.ReadAllBytes(raw));
            return all;
        });
        Add("a label of another grid", json, all =>
        {
            var other = NiftiVolumes.WriteLabel(Path.Combine(originals, "small.nii.gz"), 8, 8, 7, (x, y, z) => LabelValue(1, x, y, z));
            all["labelsTr/b.nii.gz"] = File.ReadAllBytes(other);
            return all;
        });
        Add("an image and its label swapped", json, all =>
        {
            (all["imagesTr/a.nii.gz"], all["labelsTr/a.nii.gz"]) = (all["labelsTr/a.nii.gz"], all["imagesTr/a.nii.gz"]);
            return all;
        });

        foreach (var corrupt in cases)
        {
            yield return Run(corrupt, folder =>
            {
                using var splits = SegmentationDatasets.Open(Path.Combine(folder, "dataset.json"));
                var sets = new[] { (splits.Training, new[] { 0, 1 }), (splits.Validation, new[] { 2 }) };
                var same = splits.ClassNames.Count == 2 && splits.InputChannels == 1;
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
                        same &= image.numel() == expectedImage.numel() && Same(image.reshape(8, 8, 8), expectedImage)
                            && label.numel() == expectedLabel.numel() && Same(label.reshape(8, 8, 8).to_type(ScalarType.Float32), expectedLabel);
                    }
                }

                return same;
            });
        }
    }
}
