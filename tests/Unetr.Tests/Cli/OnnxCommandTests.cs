using System;
using System.IO;
using System.Linq;
using Unetr.Model.Checkpoints;
using Unetr.Model.Data;
using Unetr.Model.Data.Nifti;
using Unetr.Model.Presets;
using Unetr.Tests.Training;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Cli;

/// <summary>The <c>export</c> verb and <c>infer --engine onnxruntime</c>, run in process.</summary>
[Collection(TrainingCollection.Name)]
public sealed class OnnxCommandTests : IDisposable
{
    // Not a multiple of the 32³ window along any axis: windows overlap and z is padded.
    private static readonly long[] Dimensions = { 40, 36, 30 };

    private readonly string _directory = Directory.CreateTempSubdirectory("unetr-onnx-cli-").FullName;

    public OnnxCommandTests()
    {
        manual_seed(21);
        using var net = new TinyMonaiUnetr();
        StateDictWriter.Save(net, PathOf("tiny.pt"));
        var header = new NiftiHeader { Dimensions = Dimensions, DataType = NiftiDataType.Float32, PixDim = new[] { 1, 1.0, 1.0, 1.0, 1, 1, 1, 1 } };
        using var voxels = randn(header.TensorShape(VoxelAxisOrder.Zyx));
        NiftiFile.Write(NiftiImage.FromTensor(header, voxels), PathOf("image.nii.gz"));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Onnxruntime_engine_writes_the_labels_torchsharp_writes()
    {
        var export = CliRun.Of("export", "--model", nameof(TinyMonaiUnetr), "--weights", PathOf("tiny.pt"), "--output", PathOf("tiny.onnx"));
        var torch = CliRun.Of("infer", "--weights", PathOf("tiny.pt"), "--input", PathOf("image.nii.gz"), "--output", PathOf("torch.nii"));
        var onnx = CliRun.Of(
            "infer", "--engine", "onnxruntime", "--onnx", PathOf("tiny.onnx"), "--model", nameof(TinyMonaiUnetr),
            "--input", PathOf("image.nii.gz"), "--output", PathOf("onnx.nii"));

        Assert.True(export.ExitCode == 0, export.ToString());
        Assert.Contains("ONNX opset 17, input [batch, 1, 32, 32, 32]", export.Output);
        Assert.True(torch.ExitCode == 0, torch.ToString());
        Assert.True(onnx.ExitCode == 0, onnx.ToString());
        Assert.Contains("onnxruntime cpu", onnx.Output);
        using var expected = NiftiFile.Read(PathOf("torch.nii")).ToTensor();
        using var actual = NiftiFile.Read(PathOf("onnx.nii")).ToTensor();
        Assert.Equal(Dimensions, NiftiFile.ReadHeader(PathOf("onnx.nii")).Dimensions);
        Assert.True(expected.eq(actual).all().item<bool>(), "the two engines' label maps differ");
    }

    [Fact]
    public void Preprocessing_settings_travel_with_the_export_and_infer_reads_them_beside_the_onnx_file()
    {
        PreprocessingFile.Write(PathOf("tiny.preprocessing.json"), new VolumePreprocessing { Window = new IntensityWindow(-1, 1) });

        var export = CliRun.Of("export", "--model", nameof(TinyMonaiUnetr), "--weights", PathOf("tiny.pt"), "--output", PathOf("deploy.onnx"));
        var onnx = Onnx("deploy.onnx");

        Assert.True(export.ExitCode == 0, export.ToString());
        Assert.Contains($"Wrote {PathOf("deploy.preprocessing.json")}", export.Output);
        Assert.Equal(File.ReadAllText(PathOf("tiny.preprocessing.json")), File.ReadAllText(PathOf("deploy.preprocessing.json")));
        Assert.True(onnx.ExitCode == 0, onnx.ToString());
        Assert.Contains($"Preprocessing ({PathOf("deploy.preprocessing.json")})", onnx.Output);
    }

    [Fact]
    public void Export_needs_weights_unless_asked_for_random_ones()
    {
        var missing = CliRun.Of("export", "--model", nameof(TinyMonaiUnetr), "--output", PathOf("none.onnx"));
        var both = CliRun.Of("export", "--model", nameof(TinyMonaiUnetr), "--weights", PathOf("tiny.pt"), "--random-weights", "--output", PathOf("both.onnx"));
        var random = CliRun.Of("export", "--model", nameof(SeedUnetr), "--random-weights", "--output", PathOf("seed.onnx"));

        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("--random-weights", missing.Error);
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("exclude each other", both.Error);
        Assert.False(File.Exists(PathOf("none.onnx")) || File.Exists(PathOf("both.onnx")));
        Assert.True(random.ExitCode == 0, random.ToString());
        Assert.Contains("freshly initialised weights", random.Output);
    }

    [Fact]
    public void Export_refuses_an_output_that_is_not_onnx()
    {
        var run = CliRun.Of("export", "--model", nameof(TinyMonaiUnetr), "--weights", PathOf("tiny.pt"), "--output", PathOf("tiny.pt2"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--output must end in .onnx", run.Error);
    }

    [Fact]
    public void Infer_refuses_a_model_the_onnx_file_does_not_hold()
    {
        var export = CliRun.Of("export", "--model", nameof(TinyMonaiUnetr), "--weights", PathOf("tiny.pt"), "--output", PathOf("tiny.onnx"));
        var run = Onnx("tiny.onnx", "--model", nameof(MonaiBtcvUnetr));

        Assert.True(export.ExitCode == 0, export.ToString());
        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"--model {nameof(MonaiBtcvUnetr)}", run.Error);
        Assert.Contains($"which holds {nameof(TinyMonaiUnetr)}", run.Error);
        Assert.False(File.Exists(PathOf("labels.nii")));
    }

    [Fact]
    public void Infer_refuses_a_corrupt_onnx_file_in_one_line()
    {
        File.WriteAllText(PathOf("corrupt.onnx"), "not a protobuf");

        var run = Onnx("corrupt.onnx");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("is not an ONNX model", run.Error);
        Assert.Single(run.Error.Trim().Split('\n'));
    }

    [Fact]
    public void Infer_names_a_missing_onnx_file_and_a_missing_onnx_option()
    {
        var missingFile = Onnx("absent.onnx");
        var missingOption = CliRun.Of("infer", "--engine", "onnxruntime", "--input", PathOf("image.nii.gz"), "--output", PathOf("labels.nii"));
        var wrongEngine = CliRun.Of("infer", "--onnx", PathOf("absent.onnx"), "--input", PathOf("image.nii.gz"), "--output", PathOf("labels.nii"));

        Assert.Equal(2, missingFile.ExitCode);
        Assert.Contains("No ONNX model at", missingFile.Error);
        Assert.Equal(2, missingOption.ExitCode);
        Assert.Contains("needs --onnx", missingOption.Error);
        Assert.Equal(2, wrongEngine.ExitCode);
        Assert.Contains("--onnx needs --engine onnxruntime", wrongEngine.Error);
    }

    private CliRun Onnx(string file, params string[] more) =>
        CliRun.Of(new[] { "infer", "--engine", "onnxruntime", "--onnx", PathOf(file), "--input", PathOf("image.nii.gz"), "--output", PathOf("labels.nii") }.Concat(more).ToArray());

    private string PathOf(string name) => Path.Combine(_directory, name);
}
