using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using Unetr.Dsl;
using Unetr.Model.Blocks.Monai;
using Unetr.Model.Checkpoints;
using Unetr.Tests.Generator;
using Xunit;

namespace Unetr.Tests.Checkpoints;

/// <summary>Damaged state dict files are refused with the file and the reason, never loaded as changed weights.</summary>
public sealed class CorruptCheckpointTests : IDisposable
{
    // Python's zipfile (local header offset + 30 + name and extra lengths) puts the 1,152 bytes of the fixture's entry
    // 'monai_block/data/0' at this offset.
    private const int FirstTensorPayload = 1664;

    private readonly string _directory = Directory.CreateTempSubdirectory("unetr-corrupt-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(0)]
    [InlineData(577)]
    [InlineData(1151)]
    public void A_flipped_byte_in_a_pytorch_tensor_entry_is_refused_naming_the_entry(int offsetInPayload)
    {
        var path = CopyOfFixture("monai_block.pt");
        FlipByte(path, FirstTensorPayload + offsetInPayload);
        using var block = NewBlock();

        var error = Assert.Throws<InvalidDataException>(() => StateDictLoader.Load(block, path));

        Assert.Contains($"'{path}'", error.Message);
        Assert.Contains("entry 'monai_block/data/0'", error.Message);
        Assert.Contains("CRC-32", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_flipped_byte_in_a_pytorch_stream_is_refused()
    {
        var bytes = File.ReadAllBytes(Fixture("monai_block.pt"));
        bytes[FirstTensorPayload + 100] ^= 0x40;
        using var block = NewBlock();
        using var stream = new MemoryStream(bytes);

        var error = Assert.Throws<InvalidDataException>(() => StateDictLoader.Load(block, stream));

        Assert.Contains("entry 'monai_block/data/0'", error.Message);
    }

    [Fact]
    public void An_empty_pytorch_file_is_called_empty()
    {
        var path = Path.Combine(_directory, "empty.pt");
        File.WriteAllBytes(path, Array.Empty<byte>());
        using var block = NewBlock();

        var error = Assert.Throws<InvalidDataException>(() => StateDictLoader.Load(block, path));

        Assert.Equal($"'{path}' is not a PyTorch state dict: the file is empty.", error.Message);
    }

    [Fact]
    public void A_text_file_named_pt_is_called_not_a_zip_archive()
    {
        var path = Path.Combine(_directory, "notes.pt");
        File.WriteAllText(path, "these are not weights\n");
        using var block = NewBlock();

        var error = Assert.Throws<InvalidDataException>(() => StateDictLoader.Load(block, path));

        Assert.StartsWith($"'{path}' is not a PyTorch state dict: it is not a zip archive", error.Message);
        Assert.DoesNotContain("old PyTorch format", error.Message);
    }

    [Theory]
    [InlineData(100)]
    [InlineData(6000)]
    [InlineData(12300)]
    public void A_truncated_pytorch_file_is_called_truncated(int keptBytes)
    {
        var path = CopyOfFixture("monai_block.pt");
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..keptBytes]);
        using var block = NewBlock();

        var error = Assert.Throws<InvalidDataException>(() => StateDictLoader.Load(block, path));

        Assert.StartsWith($"'{path}' is not a PyTorch state dict: ", error.Message);
        Assert.Contains("truncated", error.Message);
        Assert.DoesNotContain("old PyTorch format", error.Message);
    }

    [Fact]
    public void A_safetensors_header_length_that_moves_the_data_section_is_refused()
    {
        // The header gains 8 spaces but declares its old length: the data section would start 8 bytes early.
        var path = RewriteSafetensors(header => { }, extraPadding: 8, declaredLengthChange: -8);
        using var block = NewBlock();

        var error = Assert.Throws<InvalidDataException>(() => StateDictLoader.Load(block, path));

        Assert.StartsWith($"'{path}' is not a safetensors state dict: ", error.Message);
    }

    [Fact]
    public void Safetensors_offsets_that_overlap_another_tensor_are_refused()
    {
        // norm1.bias and norm1.weight have 12 floats each; the bias now claims the weight's bytes.
        var path = RewriteSafetensors(header => header["norm1.bias"]!["data_offsets"] = header["norm1.weight"]!["data_offsets"]!.DeepClone());
        using var block = NewBlock();

        var error = Assert.Throws<InvalidDataException>(() => StateDictLoader.Load(block, path));

        Assert.StartsWith($"'{path}' is not a safetensors state dict: ", error.Message);
        Assert.Contains("norm1.", error.Message);
    }

    [Fact]
    public void Safetensors_offsets_past_the_data_section_are_refused()
    {
        var path = RewriteSafetensors(header =>
        {
            var last = header.Where(entry => entry.Key != "__metadata__").MaxBy(entry => (long)entry.Value!["data_offsets"]![1]!).Key;
            var offsets = header[last]!["data_offsets"]!.AsArray();
            offsets[0] = (long)offsets[0]! + 4;
            offsets[1] = (long)offsets[1]! + 4;
        });
        using var block = NewBlock();

        var error = Assert.Throws<InvalidDataException>(() => StateDictLoader.Load(block, path));

        Assert.StartsWith($"'{path}' is not a safetensors state dict: ", error.Message);
    }

    [Fact]
    public void A_safetensors_shape_that_disagrees_with_its_byte_range_is_refused()
    {
        var path = RewriteSafetensors(header => header["norm1.bias"]!["shape"] = new JsonArray(11));
        using var block = NewBlock();

        var error = Assert.Throws<InvalidDataException>(() => StateDictLoader.Load(block, path));

        Assert.StartsWith($"'{path}' is not a safetensors state dict: ", error.Message);
        Assert.Contains("norm1.bias", error.Message);
    }

    [Fact]
    public void Safetensors_bytes_that_no_tensor_covers_are_refused()
    {
        var path = RewriteSafetensors(header => { }, extraData: 4);
        using var block = NewBlock();

        var error = Assert.Throws<InvalidDataException>(() => StateDictLoader.Load(block, path));

        Assert.StartsWith($"'{path}' is not a safetensors state dict: ", error.Message);
    }

    [Fact]
    public void An_unchanged_safetensors_rewrite_still_loads()
    {
        // The rewriting helper itself must keep a valid file valid, or the refusals above would prove nothing.
        var path = RewriteSafetensors(header => { }, extraPadding: 8);
        using var block = NewBlock();

        var result = StateDictLoader.Load(block, path);

        Assert.Equal(7, result.SkippedKeys.Count);
    }

    /// <summary>Copies the safetensors fixture with its JSON header changed by <paramref name="edit"/>.</summary>
    private string RewriteSafetensors(Action<JsonObject> edit, int extraPadding = 0, int declaredLengthChange = 0, int extraData = 0)
    {
        var bytes = File.ReadAllBytes(Fixture("monai_block.safetensors"));
        var headerLength = (int)BitConverter.ToUInt64(bytes, 0);
        var header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, headerLength))!.AsObject();
        edit(header);
        var json = header.ToJsonString();
        json += new string(' ', (8 - json.Length % 8) % 8 + extraPadding);
        var newHeader = Encoding.UTF8.GetBytes(json);
        var data = bytes[(8 + headerLength)..].Concat(new byte[extraData]).ToArray();
        var path = Path.Combine(_directory, "edited.safetensors");
        File.WriteAllBytes(path, BitConverter.GetBytes((ulong)(newHeader.Length + declaredLengthChange)).Concat(newHeader).Concat(data).ToArray());
        return path;
    }

    private string CopyOfFixture(string fileName)
    {
        var path = Path.Combine(_directory, fileName);
        File.Copy(Fixture(fileName), path);
        return path;
    }

    private static void FlipByte(string path, long offset)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[offset] ^= 0x40;
        File.WriteAllBytes(path, bytes);
    }

    private static TransformerBlock NewBlock() => new(12, 24, 3, 0.0, qkvBias: false, MlpActivation.Gelu);

    private static string Fixture(string fileName) =>
        RepositoryFiles.PathOf("tests", "Unetr.Tests", "Checkpoints", "Fixtures", fileName);
}
