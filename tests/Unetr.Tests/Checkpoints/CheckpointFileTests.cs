using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Unetr.Dsl;
using Unetr.Model.Blocks.Monai;
using Unetr.Model.Checkpoints;
using Unetr.Tests.Generator;
using Unetr.Tests.Reference;
using Unetr.Tests.Runtime;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Checkpoints;

/// <summary>State dicts in both file formats: written by PyTorch, written by us and read back, and rejected with reasons.</summary>
public sealed class CheckpointFileTests : IDisposable
{
    // make_fixtures.py printed this sum (in float64) of the fixture's attn.qkv.weight as PyTorch generated it.
    private const double FixtureQkvSum = 32.57712357619312;

    private readonly string _directory = Directory.CreateTempSubdirectory("unetr-checkpoints-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public static TheoryData<string, string> LayoutsAndFormats => new()
    {
        { "seed_tiny", ".pt" },
        { "seed_tiny", ".safetensors" },
        { "monai_tiny", ".pt" },
        { "monai_tiny", ".safetensors" },
    };

    [Theory]
    [MemberData(nameof(LayoutsAndFormats))]
    public void Saved_weights_load_back_equal_to_the_pytorch_reference(string fixture, string extension)
    {
        var reference = ReferenceData.StateDictSlice(fixture + ".weights.pt", "");
        using var source = Network(fixture);
        StateDictLoader.Load(source, reference);
        var path = Path.Combine(_directory, fixture + extension);

        StateDictWriter.Save(source, path);
        using var reloaded = Network(fixture);
        var result = StateDictLoader.Load(reloaded, path);

        Assert.Empty(result.SkippedKeys);
        Assert.All(reloaded.state_dict(), entry => Assert.True(entry.Value.equal(reference[entry.Key]).all().item<bool>(), entry.Key));
    }

    [Fact]
    public void A_safetensors_file_written_by_pytorch_loads_with_its_cross_attention_skipped()
    {
        using var block = new TransformerBlock(12, 24, 3, 0.0, qkvBias: false, MlpActivation.Gelu);
        using var fromPickle = new TransformerBlock(12, 24, 3, 0.0, qkvBias: false, MlpActivation.Gelu);

        var result = StateDictLoader.Load(block, Fixture("monai_block.safetensors"));
        StateDictLoader.Load(fromPickle, Fixture("monai_block.pt"));

        Assert.Equal(
            new[] { "cross_attn.out_proj.bias", "cross_attn.out_proj.weight", "cross_attn.to_k.weight", "cross_attn.to_q.weight", "cross_attn.to_v.weight", "norm_cross_attn.bias", "norm_cross_attn.weight" },
            result.SkippedKeys.Select(skipped => skipped.Key));
        Assert.Equal(FixtureQkvSum, block.state_dict()["attn.qkv.weight"].to_type(float64).sum().item<double>(), 1e-9);
        var expected = fromPickle.state_dict();
        Assert.All(block.state_dict(), entry => Assert.True(entry.Value.equal(expected[entry.Key]).all().item<bool>(), entry.Key));
    }

    [Fact]
    public void A_saved_safetensors_file_follows_the_format()
    {
        using var net = new SeedTiny();
        var path = Path.Combine(_directory, "seed.safetensors");

        StateDictWriter.Save(net, path);

        var bytes = File.ReadAllBytes(path);
        var headerLength = (int)BitConverter.ToUInt64(bytes, 0);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, headerLength));
        var entries = header.RootElement.EnumerateObject().Where(entry => entry.Name != "__metadata__").ToList();
        var expected = net.state_dict();
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), entries.Select(entry => entry.Name));
        long next = 0;
        foreach (var entry in entries)
        {
            var offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(offset => offset.GetInt64()).ToArray();
            var tensor = expected[entry.Name];
            Assert.Equal(tensor.dtype == int64 ? "I64" : "F32", entry.Value.GetProperty("dtype").GetString());
            Assert.Equal(tensor.shape, entry.Value.GetProperty("shape").EnumerateArray().Select(size => size.GetInt64()));
            Assert.Equal(next, offsets[0]);
            Assert.Equal(tensor.numel() * tensor.ElementSize, offsets[1] - offsets[0]);
            next = offsets[1];
        }

        Assert.Equal(bytes.Length - 8 - headerLength, next);
    }

    [Fact]
    public void A_safetensors_checkpoint_that_does_not_fit_names_every_bad_key()
    {
        using var net = new MonaiTiny();
        var state = net.state_dict().ToDictionary(entry => entry.Key, entry => entry.Value.detach().clone());
        state.Remove("out.conv.conv.bias");
        state["decoder9.weight"] = ones(3);
        state["vit.norm.weight"] = ones(47);
        var path = Path.Combine(_directory, "wrong.safetensors");
        StateDictWriter.Save(state, path);

        var error = Assert.Throws<CheckpointMismatchException>(() => StateDictLoader.Load(net, path));

        Assert.Equal(new[] { "out.conv.conv.bias" }, error.MissingKeys);
        Assert.Equal(new[] { "decoder9.weight" }, error.UnexpectedKeys);
        Assert.Equal("vit.norm.weight (checkpoint [47], module [48])", Assert.Single(error.ShapeMismatches).ToString());
    }

    [Theory]
    [InlineData("weights.ckpt", ".ckpt")]
    [InlineData("weights", "")]
    public void An_unknown_extension_is_named_with_the_recognised_ones(string fileName, string extension)
    {
        using var net = new MonaiTiny();
        var path = Path.Combine(_directory, fileName);
        File.WriteAllBytes(path, new byte[16]);

        var onLoad = Assert.Throws<ArgumentException>(() => StateDictLoader.Load(net, path));
        var onSave = Assert.Throws<ArgumentException>(() => StateDictWriter.Save(net, path));

        foreach (var error in new[] { onLoad, onSave })
        {
            Assert.Contains($"extension '{extension}'", error.Message);
            Assert.Contains("expected .pt, .pth or .bin (PyTorch), or .safetensors.", error.Message);
        }
    }

    [Fact]
    public void A_pytorch_file_named_safetensors_is_rejected_with_the_reason()
    {
        using var net = new MonaiTiny();
        var path = Path.Combine(_directory, "really-a-pickle.safetensors");
        File.Copy(ReferenceData.PathOf("monai_tiny.weights.pt"), path);

        var error = Assert.Throws<InvalidDataException>(() => StateDictLoader.Load(net, path));

        Assert.StartsWith($"'{path}' is not a safetensors state dict: its first 8 bytes give a header length of", error.Message);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        using var net = new MonaiTiny();
        var path = Path.Combine(_directory, "absent.pt");

        var error = Assert.Throws<FileNotFoundException>(() => StateDictLoader.Load(net, path));

        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void Saving_replaces_an_existing_file_and_leaves_no_temporary_file()
    {
        using var first = new MonaiTiny();
        using var second = new MonaiTiny();
        var path = Path.Combine(_directory, "weights.safetensors");
        StateDictWriter.Save(first, path);

        StateDictWriter.Save(second, path);
        using var reloaded = new MonaiTiny();
        StateDictLoader.Load(reloaded, path);

        Assert.Equal(new[] { path }, Directory.GetFiles(_directory));
        var expected = second.state_dict();
        Assert.All(reloaded.state_dict(), entry => Assert.True(entry.Value.equal(expected[entry.Key]).all().item<bool>(), entry.Key));
    }

    private static nn.Module<Tensor, Tensor> Network(string fixture) =>
        fixture == "seed_tiny" ? new SeedTiny() : new MonaiTiny();

    private static string Fixture(string fileName) =>
        RepositoryFiles.PathOf("tests", "Unetr.Tests", "Checkpoints", "Fixtures", fileName);
}
