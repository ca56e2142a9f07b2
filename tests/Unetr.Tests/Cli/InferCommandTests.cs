using System;
using System.IO;
using System.Linq;
using Unetr.Model.Checkpoints;
using Unetr.Model.Data.Nifti;
using Unetr.Model.Inference;
using Unetr.Model.Presets;
using Unetr.Tests.Runtime;
using Unetr.Tests.Training;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Cli;

[Collection(TrainingCollection.Name)]
public sealed class InferCommandTests : IDisposable
{
    // x, y, z all different and not multiples of the 32³ window: windows overlap along x and y, and z is padded.
    private static readonly long[] Dimensions = { 40, 36, 30 };

    private readonly string _directory = Directory.CreateTempSubdirectory("unetr-infer-").FullName;

    public InferCommandTests()
    {
        manual_seed(5);
        using var net = new TinyMonaiUnetr();
        StateDictWriter.Save(net, PathOf("tiny.pt"));
        StateDictWriter.Save(net, PathOf("tiny.safetensors"));
        WriteImage(PathOf("image.nii.gz"));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("tiny.pt")]
    [InlineData("tiny.safetensors")]
    public void Writes_labels_on_the_input_grid_and_an_overlay_png(string weights)
    {
        var run = Infer(weights, "labels.nii.gz", "--overlay", PathOf("overlay.png"));

        Assert.True(run.ExitCode == 0, run.ToString());
        var input = NiftiFile.ReadHeader(PathOf("image.nii.gz"));
        var labels = NiftiFile.Read(PathOf("labels.nii.gz"));
        Assert.Equal(Dimensions, labels.Header.Dimensions);
        Assert.Equal(input.GetAffine(), labels.Header.GetAffine());
        Assert.Equal(input.GetQformAffine(), labels.Header.GetQformAffine());
        Assert.Equal((input.QformCode, input.SformCode), (labels.Header.QformCode, labels.Header.SformCode));
        Assert.Equal(input.PixDim, labels.Header.PixDim);
        Assert.Equal(NiftiDataType.UInt8, labels.Header.DataType);
        Assert.Equal(NiftiHeader.LabelIntent, labels.Header.IntentCode);
        using var values = labels.ToTensor();
        Assert.True(values.ge(0).all().item<bool>() && values.le(2).all().item<bool>(), "labels outside 0..2");

        // The middle axial slice is y × x = 36 × 40, enlarged 8 times so that its shorter side reaches 256 pixels.
        Assert.Equal((320, 288), Png.Size(PathOf("overlay.png")));
        Assert.Contains("axial slice z = 15, 320 × 288 pixels", run.Output);
    }

    [Theory]
    [InlineData("xyz", VoxelAxisOrder.Xyz)]
    [InlineData("zyx", VoxelAxisOrder.Zyx)]
    public void Label_map_is_the_network_prediction_in_the_image_orientation(string option, VoxelAxisOrder order)
    {
        var run = Infer("tiny.pt", "labels.nii", "--axis-order", option);

        Assert.True(run.ExitCode == 0, run.ToString());
        AssertLabelsArePrediction("labels.nii", order, image => image);
    }

    [Fact]
    public void An_intensity_window_clips_and_scales_the_image_before_the_network()
    {
        var run = Infer("tiny.pt", "labels.nii", "--intensity-min", "-100", "--intensity-max", "200");
        var half = Infer("tiny.pt", "half.nii", "--intensity-min", "-100");

        Assert.True(run.ExitCode == 0, run.ToString());
        AssertLabelsArePrediction("labels.nii", VoxelAxisOrder.Xyz, image => (image.clamp(-100, 200) + 100) / 300);
        Assert.Equal(2, half.ExitCode);
        Assert.Contains("--intensity-min and --intensity-max go together, with min < max; got -100 and none.", half.Error);
    }

    [Fact]
    public void A_missing_image_is_named()
    {
        var run = CliRun.Of("infer", "--weights", PathOf("tiny.pt"), "--input", PathOf("absent.nii.gz"), "--output", PathOf("labels.nii.gz"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"No image at '{PathOf("absent.nii.gz")}' (--input).", run.Error);
    }

    [Fact]
    public void Missing_weights_are_named()
    {
        var run = Infer("absent.safetensors", "labels.nii.gz");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"No weights at '{PathOf("absent.safetensors")}' (--weights).", run.Error);
    }

    [Fact]
    public void An_unknown_preset_lists_the_valid_ones()
    {
        var run = CliRun.Of("infer", "--model", "TinyUnetr", "--weights", PathOf("tiny.pt"), "--input", PathOf("image.nii.gz"), "--output", PathOf("l.nii"));

        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"Unknown model 'TinyUnetr'; expected one of: {string.Join(", ", PresetCatalog.All.Select(p => p.Name))}.", run.Error.Trim());
    }

    [Fact]
    public void Weights_of_another_network_name_the_keys_that_do_not_fit()
    {
        using (var other = new MonaiTiny())
        {
            StateDictWriter.Save(other, PathOf("other.safetensors"));
        }

        var run = Infer("other.safetensors", "labels.nii.gz");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"The weights in '{PathOf("other.safetensors")}' do not fit TinyMonaiUnetr.", run.Error);
        Assert.Contains("Unexpected keys (88): vit.blocks.10.attn.out_proj.bias, ", run.Error);
        Assert.Contains("Shape mismatches (", run.Error);
        Assert.Contains("vit.patch_embedding.position_embeddings (checkpoint [1, 8, 48], module [1, 8, 96])", run.Error);
        Assert.False(File.Exists(PathOf("labels.nii.gz")));
    }

    [Theory]
    [InlineData("labels.png", "--output must end in .nii or .nii.gz")]
    [InlineData("labels.nii.gz", "--overlay must end in .png", "--overlay", "overlay.jpg")]
    public void Output_names_with_the_wrong_ending_are_rejected(string output, string message, params string[] more)
    {
        var run = Infer("tiny.pt", output, more);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Error);
    }

    [Fact]
    public void Out_of_range_options_and_a_missing_input_are_parse_errors()
    {
        var overlap = Infer("tiny.pt", "labels.nii.gz", "--overlap", "1");
        var noInput = CliRun.Of("infer", "--weights", PathOf("tiny.pt"), "--output", PathOf("labels.nii.gz"));

        Assert.NotEqual(0, overlap.ExitCode);
        Assert.Contains("--overlap must be at least 0 and less than 1; got 1.", overlap.Error);
        Assert.NotEqual(0, noInput.ExitCode);
        Assert.Contains("--input", noInput.Error);
    }

    [Fact]
    public void Help_lists_the_options()
    {
        var run = CliRun.Of("infer", "--help");

        Assert.Equal(0, run.ExitCode);
        foreach (var option in new[] { "--model", "--weights", "--input", "--output", "--overlay", "--overlap", "--mode", "--sw-batch-size", "--device", "--axis-order" })
        {
            Assert.Contains(option, run.Output);
        }
    }

    private void AssertLabelsArePrediction(string labels, VoxelAxisOrder order, Func<Tensor, Tensor> preprocess)
    {
        using var net = new TinyMonaiUnetr();
        StateDictLoader.Load(net, PathOf("tiny.pt"));
        net.eval();
        using var image = NiftiFile.Read(PathOf("image.nii.gz")).ToTensor(order);
        var inferer = new SlidingWindowInferer(new long[] { 32, 32, 32 }, 0.5, 4, WindowWeighting.Gaussian);
        using var expected = inferer.Run(preprocess(image).unsqueeze(0).unsqueeze(0), net.call).argmax(1).squeeze(0);
        using var written = NiftiFile.Read(PathOf(labels)).ToTensor(order).to_type(int64);
        Assert.True(written.equal(expected).all().item<bool>(), "The label map differs from the network's prediction.");
    }

    private CliRun Infer(string weights, string output, params string[] more) =>
        CliRun.Of(new[] { "infer", "--weights", PathOf(weights), "--input", PathOf("image.nii.gz"), "--output", PathOf(output) }.Concat(more).ToArray());

    private string PathOf(string name) => Path.Combine(_directory, name);

    /// <summary>An int16 image with a rotated, shifted qform and sform and anisotropic spacing, so that any lost or transposed geometry shows.</summary>
    private static void WriteImage(string path)
    {
        var header = new NiftiHeader
        {
            Dimensions = Dimensions,
            DataType = NiftiDataType.Int16,
            PixDim = new[] { -1, 0.75, 1.5, 2.0, 1, 1, 1, 1 },
            QformCode = NiftiXformCode.ScannerAnatomical,
            QuaternB = 0.125,
            QuaternC = -0.25,
            QuaternD = 0.375,
            QOffsetX = 10.5,
            QOffsetY = -20.25,
            QOffsetZ = 30.125,
            SformCode = NiftiXformCode.AlignedAnatomical,
            SrowX = new[] { 0.75, 0.0625, 0, -12.5 },
            SrowY = new[] { 0, 1.5, -0.125, 7.75 },
            SrowZ = new[] { 0.03125, 0, 2.0, 100 },
            XyztUnits = 2,
        };
        using var voxels = (randn(header.TensorShape(VoxelAxisOrder.Zyx)) * 300).round();
        NiftiFile.Write(NiftiImage.FromTensor(header, voxels), path);
    }
}
