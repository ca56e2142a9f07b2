using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Unetr.Tests.Data;
using Xunit;

namespace Unetr.Tests.Corruption;

/// <summary>The valid files of one kind and the seeded corruptions made from them.</summary>
/// <param name="Kind">The file kind, e.g. <c>nii.gz</c>.</param>
/// <param name="Original">The valid case: file names (relative to a case folder) and their bytes.</param>
/// <param name="Cases">The corrupted cases, each a copy of <paramref name="Original"/> with some files changed or removed.</param>
internal sealed record CorruptionSet(string Kind, IReadOnlyDictionary<string, byte[]> Original, IReadOnlyList<CorruptCase> Cases);

/// <summary>
/// Issue 16's corruption recipes, shared by the library suite (<see cref="CorruptionSuiteTests"/>) and the command-line
/// suite (<see cref="CliCorruptionSuiteTests"/>): what is damaged and how, with the seeds that make each case reproducible.
/// </summary>
/// <remarks>
/// Not generated, because the formats carry no integrity check for them: byte flips in the voxels of an uncompressed
/// <c>.nii</c> or in its geometry and scaling fields, in the tensor data of a <c>.safetensors</c>, and edits of
/// <c>dataset.json</c> that keep it valid JSON naming other existing files. Such changes are indistinguishable from
/// a different valid file.
/// </remarks>
internal static class CorruptionCases
{
    public const string Nii = "nii";
    public const string NiiGz = "nii.gz";
    public const string Pt = "pt";
    public const string Safetensors = "safetensors";
    public const string Ckpt = "ckpt";
    public const string DatasetJson = "dataset.json";

    /// <summary>Size of the NIfTI volume, x by y by z.</summary>
    public const int VolumeX = 6, VolumeY = 5, VolumeZ = 4;

    /// <summary>Size of each dataset volume along every axis.</summary>
    public const int DatasetSize = 8;

    // NIfTI-1 header offsets (bytes).
    private const int DimOffset = 40;
    private const int DataTypeOffset = 70;
    private const int BitPixOffset = 72;
    private const int VoxOffsetOffset = 108;
    private const int SclSlopeOffset = 112;
    private const int MagicOffset = 344;

    /// <summary>Voxel value of the NIfTI volume at (x, y, z).</summary>
    public static double VoxelValue(long x, long y, long z) => 1.5 + x + 10 * y + 100 * z;

    /// <summary>Image voxel of dataset volume <paramref name="volume"/> (a = 0, b = 1, c = 2).</summary>
    public static float ImageValue(int volume, long x, long y, long z) => volume * 1000 + x + 8 * y + 64 * z;

    /// <summary>Label voxel of dataset volume <paramref name="volume"/>.</summary>
    public static int LabelValue(int volume, long x, long y, long z) => (x + y + z + volume) % 3 == 0 ? 1 : 0;

    /// <summary>File name of the NIfTI volume.</summary>
    public static string VolumeFile(bool compressed) => compressed ? "volume.nii.gz" : "volume.nii";

    /// <summary>A float32 volume of <see cref="VoxelValue"/>, and its truncations, flips and overwritten header fields.</summary>
    /// <param name="scratch">A folder where the originals are written.</param>
    /// <param name="compressed">Whether the file is a <c>.nii.gz</c>.</param>
    public static CorruptionSet Volume(string scratch, bool compressed)
    {
        var kind = compressed ? NiiGz : Nii;
        var fileName = VolumeFile(compressed);
        var originalPath = NiftiVolumes.Write(Path.Combine(scratch, "original", fileName), VolumeX, VolumeY, VolumeZ, (_, x, y, z) => VoxelValue(x, y, z));
        var bytes = File.ReadAllBytes(originalPath);
        var raw = compressed
            ? File.ReadAllBytes(NiftiVolumes.Write(Path.Combine(scratch, "original", "raw.nii"), VolumeX, VolumeY, VolumeZ, (_, x, y, z) => VoxelValue(x, y, z)))
            : bytes;
        Assert.Equal(348, BitConverter.ToInt32(raw, 0)); // NIfTI-1, little-endian: the offsets below apply
        var voxOffset = (int)BitConverter.ToSingle(raw, VoxOffsetOffset);
        Assert.Equal(raw.Length, voxOffset + VolumeX * VolumeY * VolumeZ * 4);

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

        Field("every voxel NaN", voxOffset, Enumerable.Range(0, VolumeX * VolumeY * VolumeZ).SelectMany(_ => BitConverter.GetBytes(float.NaN)).ToArray());
        return new CorruptionSet(kind, new Dictionary<string, byte[]> { [fileName] = bytes }, generator.Cases);
    }

    /// <summary>Truncations, flips and lying lengths of a state dict: the zip structure of a <c>.pt</c>, or the header of a <c>.safetensors</c>.</summary>
    /// <param name="kind"><see cref="Pt"/> or <see cref="Safetensors"/>.</param>
    /// <param name="fileName">The file's name in a case folder.</param>
    /// <param name="bytes">The valid file.</param>
    public static CorruptionSet StateDict(string kind, string fileName, byte[] bytes)
    {
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

        return new CorruptionSet(kind, new Dictionary<string, byte[]> { [fileName] = bytes }, generator.Cases);
    }

    /// <summary>Truncations and flips anywhere in a training checkpoint (whose SHA-256 covers every byte).</summary>
    public static CorruptionSet Checkpoint(string fileName, byte[] bytes)
    {
        var generator = new CorruptionGenerator(Ckpt, fileName, bytes, 5000)
            .Truncations(20, 0, 1, 8, 16, bytes.Length - 1, bytes.Length - 32)
            .Flips("first 64 bytes", 0, 64, 10)
            .Flips("anywhere", 0, bytes.Length, 20)
            .Flips("last 64 bytes", bytes.Length - 64, bytes.Length, 6)
            .Edit("four extra bytes", b => b.Concat(new byte[4]).ToArray());
        return new CorruptionSet(Ckpt, new Dictionary<string, byte[]> { [fileName] = bytes }, generator.Cases);
    }

    private const string DatasetText = """
        {
          "name": "corruption",
          "labels": { "0": "background", "1": "organ", "2": "lesion" },
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

    /// <summary>
    /// A <c>dataset.json</c> of three classes (those of <see cref="Model.Presets.TinyMonaiUnetr"/>, so that the commands can
    /// train and score it) and three volumes (a, b for training, c for validation) of <see cref="ImageValue"/> and
    /// <see cref="LabelValue"/>: its truncations, broken JSON, wrong structure, and missing, damaged or mismatched volumes.
    /// </summary>
    /// <param name="scratch">A folder where the originals are written.</param>
    public static CorruptionSet Dataset(string scratch)
    {
        var originals = Path.Combine(scratch, "original-dataset");
        var volumes = new Dictionary<string, byte[]>();
        foreach (var (name, index) in new[] { ("a", 0), ("b", 1), ("c", 2) })
        {
            var image = NiftiVolumes.Write(Path.Combine(originals, "imagesTr", $"{name}.nii.gz"), DatasetSize, DatasetSize, DatasetSize, (_, x, y, z) => ImageValue(index, x, y, z));
            var label = NiftiVolumes.WriteLabel(Path.Combine(originals, "labelsTr", $"{name}.nii.gz"), DatasetSize, DatasetSize, DatasetSize, (x, y, z) => LabelValue(index, x, y, z));
            volumes[$"imagesTr/{name}.nii.gz"] = File.ReadAllBytes(image);
            volumes[$"labelsTr/{name}.nii.gz"] = File.ReadAllBytes(label);
        }

        var json = Encoding.UTF8.GetBytes(DatasetText);
        var cases = new List<CorruptCase>();
        var seed = 6000;
        void Add(string description, byte[] text, Func<Dictionary<string, byte[]>, Dictionary<string, byte[]>>? files = null)
        {
            var all = new Dictionary<string, byte[]>(volumes) { ["dataset.json"] = text };
            cases.Add(new CorruptCase(DatasetJson, seed++, description, files is null ? all : files(all)));
        }

        foreach (var corrupt in new CorruptionGenerator(DatasetJson, "dataset.json", json, 0).Truncations(25, 0, 1, json.Length / 2).Cases)
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
        Text("labels that are a list", DatasetText.Replace("{ \"0\": \"background\", \"1\": \"organ\", \"2\": \"lesion\" }", "[\"background\", \"organ\", \"lesion\"]", StringComparison.Ordinal));
        Text("a label number that is not a number", DatasetText.Replace("\"1\": \"organ\"", "\"one\": \"organ\"", StringComparison.Ordinal));
        Text("an image path that names no file", DatasetText.Replace("imagesTr/b.nii.gz", "imagesTr/x.nii.gz", StringComparison.Ordinal));
        Text("an empty validation list and one training volume", """{ "training": [ { "image": "./imagesTr/a.nii.gz", "label": "./labelsTr/a.nii.gz" } ], "validation": [] }""");
        Text("only one class listed for a label map holding 1", DatasetText.Replace(", \"1\": \"organ\", \"2\": \"lesion\"", "", StringComparison.Ordinal));
        Text("empty file", "");
        foreach (var file in volumes.Keys)
        {
            Add($"missing {file}", json, all => { all.Remove(file); return all; });
        }

        Add("an image that is a truncated gzip", json, all => { all["imagesTr/b.nii.gz"] = all["imagesTr/b.nii.gz"][..100]; return all; });
        Add("a label that is empty", json, all => { all["labelsTr/c.nii.gz"] = Array.Empty<byte>(); return all; });
        Add("an image with a NaN voxel", json, all =>
        {
            var raw = NiftiVolumes.Write(Path.Combine(originals, "nan.nii"), DatasetSize, DatasetSize, DatasetSize, (_, x, y, z) => x == 3 && y == 2 && z == 1 ? double.NaN : ImageValue(0, x, y, z));
            all["imagesTr/a.nii.gz"] = CorruptionGenerator.Gzip(File.ReadAllBytes(raw));
            return all;
        });
        Add("a label of another grid", json, all =>
        {
            var other = NiftiVolumes.WriteLabel(Path.Combine(originals, "small.nii.gz"), DatasetSize, DatasetSize, DatasetSize - 1, (x, y, z) => LabelValue(1, x, y, z));
            all["labelsTr/b.nii.gz"] = File.ReadAllBytes(other);
            return all;
        });
        Add("an image and its label swapped", json, all =>
        {
            (all["imagesTr/a.nii.gz"], all["labelsTr/a.nii.gz"]) = (all["labelsTr/a.nii.gz"], all["imagesTr/a.nii.gz"]);
            return all;
        });

        return new CorruptionSet(DatasetJson, new Dictionary<string, byte[]>(volumes) { ["dataset.json"] = json }, cases);
    }
}
