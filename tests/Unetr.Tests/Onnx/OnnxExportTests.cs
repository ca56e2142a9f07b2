using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using TorchSharp;
using TorchSharp.PyBridge;
using Unetr.Model.Checkpoints;
using Unetr.Model.Compiled;
using Unetr.Model.Inference;
using Unetr.Model.Presets;
using Unetr.Onnx;
using Unetr.Tests.Reference;
using Unetr.Tests.Runtime;
using Unetr.Tests.Runtime.Variants;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Onnx;

/// <summary>Declared networks exported to ONNX compute, under ONNX Runtime, what TorchSharp computes.</summary>
public sealed class OnnxExportTests : IDisposable
{
    private const double Tolerance = 1e-4;

    /// <summary>Debian's interpreter, where python3-onnx installs; a python3 earlier on the PATH (pyenv) may lack the module.</summary>
    private const string DebianPython = "/usr/bin/python3";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "unetr-onnx-" + Guid.NewGuid().ToString("N"));

    public OnnxExportTests() => Directory.CreateDirectory(_folder);

    /// <summary>Every layout option: seed and MONAI, 2D and 3D, patch 4–32, conv and perceptron, instance and batch norm, residual and plain, GELU and ReLU, qkv bias, final norm on and off.</summary>
    public static TheoryData<string> Variants => new(OnnxTestNetworks.All.Keys);

    [Theory]
    [MemberData(nameof(Variants))]
    public void Onnx_runtime_output_matches_torchsharp(string variant)
    {
        var (create, info) = OnnxTestNetworks.All[variant];
        manual_seed(11);
        using var network = create();
        OnnxTestNetworks.RandomizeRunningStatistics(network);
        network.eval();
        var path = Path.Combine(_folder, variant + ".onnx");
        OnnxExport.Save(network, info, path);
        using var onnx = OnnxRuntimeNetwork.Open(path);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();

        // Batch 2: the exported batch axis is dynamic.
        var input = randn(new long[] { 2 }.Concat(info.InputShape).ToArray());
        var expected = network.call(input);
        var actual = onnx.Forward(input);

        Assert.Equal(expected.shape, actual.shape);
        Assert.InRange((actual - expected).abs().max().item<float>(), 0, Tolerance);
    }

    [Theory]
    [InlineData("seed_tiny")]
    [InlineData("monai_tiny")]
    public void Onnx_runtime_reproduces_the_pytorch_fixture(string fixture)
    {
        using nn.Module<Tensor, Tensor> network = fixture == "seed_tiny" ? new SeedTiny() : new MonaiTiny();
        var info = fixture == "seed_tiny"
            ? new OnnxModelInfo(nameof(SeedTiny), SeedTiny.InputShape, SeedTiny.OutputShape)
            : new OnnxModelInfo(nameof(MonaiTiny), MonaiTiny.InputShape, MonaiTiny.OutputShape);
        StateDictLoader.Load(network, ReferenceData.PathOf(fixture + ".weights.pt"));
        network.eval();
        var path = Path.Combine(_folder, fixture + ".onnx");
        OnnxExport.Save(network, info, path);
        using var onnx = OnnxRuntimeNetwork.Open(path);
        using var scope = NewDisposeScope();
        var io = PyTorchUnpickler.UnpickleStateDict(ReferenceData.PathOf(fixture + ".io.pt"));
        var input = (Tensor)io["input"]!;
        var expected = (Tensor)io["output"]!;

        var actual = onnx.Forward(input);

        Assert.Equal(expected.shape, actual.shape);
        Assert.InRange((actual - expected).abs().max().item<float>(), 0, Tolerance);
    }

    [Fact]
    public void Python_onnx_checker_accepts_every_exported_variant()
    {
        var paths = new List<string>();
        foreach (var (name, (create, info)) in OnnxTestNetworks.All)
        {
            using var network = create();
            network.eval();
            var path = Path.Combine(_folder, name + ".onnx");
            OnnxExport.Save(network, info, path);
            paths.Add(path);
        }

        // Debian's python3-onnx (1.12): the checker with shape inference, and the opset and IR version the file declares.
        const string Script =
            "import sys, onnx\n" +
            "for path in sys.argv[1:]:\n" +
            "    model = onnx.load(path)\n" +
            "    onnx.checker.check_model(model, full_check=True)\n" +
            "    print(path, model.ir_version, [(o.domain, o.version) for o in model.opset_import])\n";
        var (exitCode, output) = RunPython(Script, paths);

        Assert.True(exitCode == 0, "onnx.checker rejected an exported file:\n" + output);
        Assert.Equal(paths.Count, output.Split('\n').Count(line => line.EndsWith(" 8 [('', 17)]", StringComparison.Ordinal)));
    }

    [Fact]
    public void Initializers_are_the_state_dict_keys()
    {
        using var network = new OnnxMonai3DPerceptronBatchPlain();
        network.eval();

        var model = OnnxModelFile.Read(OnnxExport.ToBytes(network, OnnxTestNetworks.InfoOf<OnnxMonai3DPerceptronBatchPlain>()));

        // num_batches_tracked only counts training steps; evaluation never reads it.
        var expected = network.state_dict().Keys.Where(key => !key.EndsWith("num_batches_tracked", StringComparison.Ordinal)).Order();
        Assert.Equal(expected, model.InitializerNames.Where(name => name.Contains('.', StringComparison.Ordinal)).Order());
    }

    [Fact]
    public void Export_refuses_a_network_in_training_mode()
    {
        using var network = new OnnxSeedPatch4();
        network.train();
        var path = Path.Combine(_folder, "training.onnx");

        var error = Assert.Throws<InvalidOperationException>(() => OnnxExport.Save(network, path));

        Assert.Contains("training mode", error.Message);
        Assert.Contains("eval()", error.Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Exported_file_names_its_network_and_shapes()
    {
        using var network = new SeedPatch32();
        network.eval();
        var path = Path.Combine(_folder, "named.onnx");

        OnnxExport.Save(network, path);
        using var onnx = OnnxRuntimeNetwork.Open(path);

        Assert.Equal(nameof(SeedPatch32), onnx.Info.Model);
        Assert.Equal(new long[] { 1, 32, 32, 32 }, onnx.Info.InputShape);
        Assert.Equal(new long[] { 2, 32, 32, 32 }, onnx.Info.OutputShape);
        Assert.Empty(Directory.GetFiles(_folder, "*.tmp"));
    }

    [Fact]
    public void Opening_a_corrupt_file_is_a_one_line_error()
    {
        var path = Path.Combine(_folder, "corrupt.onnx");
        File.WriteAllBytes(path, new byte[] { 0x08, 0x08, 0x12, 0xff, 0x01, 0x02 });

        var error = Assert.Throws<InvalidDataException>(() => OnnxRuntimeNetwork.Open(path));

        Assert.Contains(path, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Opening_an_onnx_file_without_unetr_metadata_is_refused()
    {
        using var network = new SeedPatch32();
        network.eval();
        var bytes = OnnxExport.ToBytes(network, new OnnxModelInfo(nameof(SeedPatch32), SeedPatch32.InputShape, SeedPatch32.OutputShape));
        var path = Path.Combine(_folder, "plain.onnx");
        File.WriteAllBytes(path, OnnxModelFile.WithoutMetadata(bytes));

        var error = Assert.Throws<InvalidDataException>(() => OnnxRuntimeNetwork.Open(path));

        Assert.Contains(OnnxModelInfo.ModelKey, error.Message);
    }

    [Fact]
    public void Forward_refuses_a_batch_of_the_wrong_shape()
    {
        using var network = new SeedPatch32();
        network.eval();
        var path = Path.Combine(_folder, "shape.onnx");
        OnnxExport.Save(network, path);
        using var onnx = OnnxRuntimeNetwork.Open(path);
        using var input = zeros(new long[] { 1, 1, 32, 32, 16 });

        var error = Assert.Throws<ArgumentException>(() => onnx.Forward(input));

        Assert.Contains("[B, 1, 32, 32, 32]", error.Message);
    }

    [Fact]
    public void Sliding_window_labels_are_the_same_with_both_engines()
    {
        manual_seed(17);
        using var network = new TinyMonaiUnetr();
        network.eval();
        var path = Path.Combine(_folder, "window.onnx");
        OnnxExport.Save(network, path);
        using var onnx = OnnxRuntimeNetwork.Open(path);
        using var scope = NewDisposeScope();
        var inferer = new SlidingWindowInferer(TinyMonaiUnetr.InputShape.Skip(1).ToArray(), overlap: 0.25, batchSize: 3);

        // Larger than the 32³ window along two axes and smaller along the third: overlapping windows and padding.
        var volume = randn(new long[] { 1, 1, 48, 40, 24 });
        var expected = inferer.Run(volume, network.call);
        var actual = inferer.Run(volume, onnx.Forward);

        Assert.Equal(expected.shape, actual.shape);
        Assert.InRange((actual - expected).abs().max().item<float>(), 0, Tolerance);
        Assert.True(expected.argmax(1).eq(actual.argmax(1)).all().item<bool>(), "the two engines' labels differ");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static (int ExitCode, string Output) RunPython(string script, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(DebianPython) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("/usr/bin/python3 did not start (Debian: apt-get install python3-onnx).");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
