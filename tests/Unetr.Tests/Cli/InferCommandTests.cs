using System;
using System.IO;
using System.Linq;
using Unetr.Model.Checkpoints;
using Unetr.Model.Data;
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
        WriteImage(PathOf("blob.nii.gz"), blob: true);
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
    public void An_intensity_range_clips_and_scales_the_image_before_the_network()
    {
        var run = Infer("tiny.pt", "labels.nii", "--intensity-range", "-100,200");
        var half = Infer("tiny.pt", "half.nii", "--intensity-range", "-100");
        var old = Infer("tiny.pt", "old.nii", "--intensity-min", "-100", "--intensity-max", "200");

        Assert.True(run.ExitCode == 0, run.ToString());
        AssertLabelsArePrediction("labels.nii", VoxelAxisOrder.Xyz, image => ((image + 100) / 300).clamp(0, 1));
        Assert.Contains("Preprocessing (--intensity-range): xyz axis order, intensities [-100, 200] → [0, 1], clipped.", run.Output);
        Assert.NotEqual(0, half.ExitCode);
        Assert.Contains("--intensity-range must be two numbers a_min,a_max with a_max > a_min; got '-100'.", half.Error);
        Assert.NotEqual(0, old.ExitCode);
        Assert.Contains("'--intensity-min'", old.Error);
    }

    [Fact]
    public void Spacing_and_foreground_crop_are_undone_so_the_labels_keep_the_input_grid()
    {
        var run = CliRun.Of(
            "infer", "--weights", PathOf("tiny.pt"), "--input", PathOf("blob.nii.gz"), "--output", PathOf("labels.nii.gz"),
            "--spacing", "1.5,1.5,1.5", "--intensity-range", "-300,300", "--crop-foreground");

        Assert.True(run.ExitCode == 0, run.ToString());
        var input = NiftiFile.ReadHeader(PathOf("blob.nii.gz"));
        var labels = NiftiFile.Read(PathOf("labels.nii.gz"));
        Assert.Equal(Dimensions, labels.Header.Dimensions);
        Assert.Equal(input.GetAffine(), labels.Header.GetAffine());
        Assert.Equal(input.PixDim, labels.Header.PixDim);
        Assert.Contains("resampled to 1.5 × 1.5 × 1.5 spacing (x, y, z), intensities [-300, 300] → [0, 1], clipped, cropped to the foreground (above 0, margin 0); labels are mapped back onto each volume's own grid.", run.Output);

        // The label map is what the model's segmenter gives for these settings: preprocess, slide, map back.
        var preprocessing = new VolumePreprocessing { TargetSpacing = new[] { 1.5, 1.5, 1.5 }, Window = new IntensityWindow(-300, 300), CropForeground = new ForegroundCropping() };
        using var net = LoadNet();
        var inferer = new SlidingWindowInferer(new long[] { 32, 32, 32 }, 0.5, 4, WindowWeighting.Gaussian);
        using var image = NiftiFile.Read(PathOf("blob.nii.gz")).ToTensor(VoxelAxisOrder.Xyz);
        using var expected = new VolumeSegmenter(preprocessing, batch => inferer.Run(batch, net.call)).Segment(image.unsqueeze(0), input.Spacing);
        using var written = labels.ToTensor(VoxelAxisOrder.Xyz).to_type(int64);
        Assert.True(written.equal(expected).all().item<bool>(), "The label map differs from the preprocessed, mapped-back prediction.");

        // Voxels 3 or more outside the blob (x 6..29, y 4..24, z 3..19) were cropped away, so they are background.
        using var outside = ones_like(written, dtype: ScalarType.Bool);
        outside[TensorIndex.Slice(3, 33), TensorIndex.Slice(1, 28), TensorIndex.Slice(0, 23)] = tensor(false);
        Assert.Equal(0, written.masked_select(outside).count_nonzero().item<long>());
        Assert.True(written.count_nonzero().item<long>() > 0, "The network found no foreground at all, so the crop test shows nothing.");
    }

    [Fact]
    public void Preprocessing_settings_beside_the_weights_apply_unless_options_override_them()
    {
        PreprocessingFile.Write(PathOf("tiny.preprocessing.json"), new VolumePreprocessing { TargetSpacing = new[] { 1.0, 2, 2 }, Window = new IntensityWindow(-50, 250), CropForeground = new ForegroundCropping() });

        var beside = Infer("tiny.pt", "beside.nii");
        var explicitly = Infer("tiny.pt", "explicit.nii", "--preprocessing", "none", "--spacing", "1,2,2", "--intensity-range", "-50,250", "--crop-foreground");
        var overridden = Infer("tiny.pt", "overridden.nii", "--crop-foreground", "false", "--spacing", "2,2,2");
        var withoutCrop = Infer("tiny.pt", "without-crop.nii", "--preprocessing", "none", "--spacing", "2,2,2", "--intensity-range", "-50,250");
        var ignored = Infer("tiny.pt", "ignored.nii", "--preprocessing", "none");

        Assert.All(new[] { beside, explicitly, overridden, withoutCrop, ignored }, run => Assert.True(run.ExitCode == 0, run.ToString()));
        Assert.Contains($"Preprocessing ({PathOf("tiny.preprocessing.json")}): xyz axis order, resampled to 1 × 2 × 2 spacing", beside.Output);
        Assert.Contains($"Preprocessing ({PathOf("tiny.preprocessing.json")}, with --spacing, --crop-foreground from the command line): xyz axis order, resampled to 2 × 2 × 2 spacing", overridden.Output);
        Assert.Contains("Preprocessing (defaults): xyz axis order.", ignored.Output);
        Assert.True(SameLabels("beside.nii", "explicit.nii"), "Settings read beside the weights differ from the same settings given as options.");
        Assert.True(SameLabels("overridden.nii", "without-crop.nii"), "Options given with a settings file did not replace its settings.");
        Assert.False(SameLabels("beside.nii", "ignored.nii"), "--preprocessing none still applied the settings file.");
    }

    [Fact]
    public void A_preprocessing_file_named_but_absent_or_malformed_is_reported()
    {
        File.WriteAllText(PathOf("bad.json"), """{ "spacing": [1, 2] }""");

        var absent = Infer("tiny.pt", "labels.nii", "--preprocessing", PathOf("absent.json"));
        var malformed = Infer("tiny.pt", "labels.nii", "--preprocessing", PathOf("bad.json"));

        Assert.Equal(2, absent.ExitCode);
        Assert.Contains($"No preprocessing settings at '{PathOf("absent.json")}' (--preprocessing).", absent.Error);
        Assert.Equal(2, malformed.ExitCode);
        Assert.Contains($"{PathOf("bad.json")}: spacing must be three positive numbers [x, y, z] or null.", malformed.Error);
    }

    [Fact]
    public void A_missing_image_is_named()
    {
        var run = CliRun.Of("infer", "--weights", PathOf("tiny.pt"), "--input", PathOf("absent.nii.gz"), "--output", PathOf("labels.nii.gz"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"No image at '{PathOf("absent.nii.gz")}' (--input).", run.Error);
    }

    [Fact]
    public void An_output_that_is_a_folder_is_refused_before_inference()
    {
        Directory.CreateDirectory(PathOf("labels.nii.gz"));

        var run = Infer("tiny.pt", "labels.nii.gz", "--overlay", PathOf("overlay.png"));

        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"--output '{PathOf("labels.nii.gz")}' is a folder; give a file name.", run.Error.TrimEnd());
        Assert.DoesNotContain("Segmented", run.Output);
        Assert.False(File.Exists(PathOf("overlay.png")));
    }

    [Fact]
    public void An_overlay_that_is_a_folder_is_refused_before_inference_and_leaves_no_label_map()
    {
        Directory.CreateDirectory(PathOf("overlay.png"));

        var run = Infer("tiny.pt", "labels.nii.gz", "--overlay", PathOf("overlay.png"));

        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"--overlay '{PathOf("overlay.png")}' is a folder; give a file name.", run.Error.TrimEnd());
        Assert.DoesNotContain("Segmented", run.Output);
        Assert.False(File.Exists(PathOf("labels.nii.gz")));
    }

    [Fact]
    public void An_output_below_a_file_is_refused_and_missing_parents_are_created()
    {
        var below = Infer("tiny.pt", Path.Combine("tiny.pt", "labels.nii.gz"));
        var nested = Infer("tiny.pt", Path.Combine("new", "nested", "labels.nii.gz"), "--overlay", PathOf(Path.Combine("other", "overlay.png")));

        Assert.Equal(2, below.ExitCode);
        Assert.Equal($"--output '{PathOf(Path.Combine("tiny.pt", "labels.nii.gz"))}' cannot be written: '{PathOf("tiny.pt")}' is a file, not a folder.", below.Error.TrimEnd());
        Assert.True(nested.ExitCode == 0, nested.ToString());
        Assert.True(File.Exists(PathOf(Path.Combine("new", "nested", "labels.nii.gz"))) && File.Exists(PathOf(Path.Combine("other", "overlay.png"))));
    }

    [Fact]
    public void Stale_temporaries_of_its_outputs_are_removed_and_others_kept()
    {
        var ours = new[] { "labels.nii.gz.0123456789abcdef0123456789abcdef.tmp", "overlay.png.fedcba9876543210fedcba9876543210.tmp" };
        var others = new[] { "best.pt.0123456789abcdef0123456789abcdef.tmp", "notes.tmp" };
        foreach (var name in ours.Concat(others))
        {
            File.WriteAllText(PathOf(name), "left over");
        }

        var run = Infer("tiny.pt", "labels.nii.gz", "--overlay", PathOf("overlay.png"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.All(ours, name => Assert.False(File.Exists(PathOf(name)), name));
        Assert.All(others, name => Assert.True(File.Exists(PathOf(name)), name));
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
        foreach (var option in new[]
                 {
                     "--model", "--weights", "--input", "--output", "--overlay", "--overlap", "--mode", "--sw-batch-size", "--device", "--preprocessing",
                     "--axis-order", "--spacing", "--intensity-range", "--crop-foreground", "--normalize",
                 })
        {
            Assert.Contains(option, run.Output);
        }
    }

    private void AssertLabelsArePrediction(string labels, VoxelAxisOrder order, Func<Tensor, Tensor> preprocess)
    {
        using var net = LoadNet();
        using var image = NiftiFile.Read(PathOf("image.nii.gz")).ToTensor(order);
        var inferer = new SlidingWindowInferer(new long[] { 32, 32, 32 }, 0.5, 4, WindowWeighting.Gaussian);
        using var expected = inferer.Run(preprocess(image).unsqueeze(0).unsqueeze(0), net.call).argmax(1).squeeze(0);
        using var written = NiftiFile.Read(PathOf(labels)).ToTensor(order).to_type(int64);
        Assert.True(written.equal(expected).all().item<bool>(), "The label map differs from the network's prediction.");
    }

    private TinyMonaiUnetr LoadNet()
    {
        var net = new TinyMonaiUnetr();
        StateDictLoader.Load(net, PathOf("tiny.pt"));
        net.eval();
        return net;
    }

    private bool SameLabels(string first, string second)
    {
        using var a = NiftiFile.Read(PathOf(first)).ToTensor();
        using var b = NiftiFile.Read(PathOf(second)).ToTensor();
        return a.equal(b).all().item<bool>();
    }

    [Fact]
    public void Refuses_an_image_with_non_finite_voxels_and_counts_them()
    {
        WriteWithNonFiniteVoxels(PathOf("nan.nii"), zeroed: PathOf("zeroed.nii"));

        var run = CliRun.Of("infer", "--weights", PathOf("tiny.pt"), "--input", PathOf("nan.nii"), "--output", PathOf("labels.nii"));

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal(
            $"{PathOf("nan.nii")}: 4 non-finite voxels (2 NaN, 1 +inf, 1 -inf); repair the image, or replace them with 0 (unetr: --non-finite-voxels zero; library: NonFiniteVoxels.Zero)",
            run.Error.Trim());
        Assert.False(File.Exists(PathOf("labels.nii")));
    }

    [Fact]
    public void Replaces_non_finite_voxels_with_zero_when_asked_and_says_how_many()
    {
        WriteWithNonFiniteVoxels(PathOf("nan.nii"), zeroed: PathOf("zeroed.nii"));

        var run = CliRun.Of("infer", "--weights", PathOf("tiny.pt"), "--input", PathOf("nan.nii"), "--output", PathOf("labels.nii"), "--non-finite-voxels", "zero");
        var reference = CliRun.Of("infer", "--weights", PathOf("tiny.pt"), "--input", PathOf("zeroed.nii"), "--output", PathOf("reference.nii"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.True(reference.ExitCode == 0, reference.ToString());
        Assert.Contains($"Replaced 4 non-finite voxels with 0 in {PathOf("nan.nii")}", run.Output);
        using var labels = NiftiFile.Read(PathOf("labels.nii")).ToTensor();
        using var expected = NiftiFile.Read(PathOf("reference.nii")).ToTensor();
        Assert.True(labels.eq(expected).all().item<bool>(), "labels differ from those of the image with 0 in place of the non-finite voxels");
    }

    [Fact]
    public void Refuses_a_scaling_that_overflows_float32_and_names_the_values()
    {
        // scl_slope is the float32 at byte 112 of a NIfTI-1 header; the stored voxels are written with slope 1 first.
        var header = NiftiFile.ReadHeader(PathOf("image.nii.gz"));
        using var stored = full(header.TensorShape(VoxelAxisOrder.Zyx), 4f);
        NiftiFile.Write(NiftiImage.FromTensor(header with { ScaleSlope = 1, ScaleIntercept = 0 }, stored), PathOf("scaled.nii"));
        var bytes = File.ReadAllBytes(PathOf("scaled.nii"));
        System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(112), 1e38f);
        File.WriteAllBytes(PathOf("scaled.nii"), bytes);

        var run = CliRun.Of("infer", "--weights", PathOf("tiny.pt"), "--input", PathOf("scaled.nii"), "--output", PathOf("labels.nii"));

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.StartsWith($"{PathOf("scaled.nii")}: scaling overflows float32: stored value 4 × scl_slope 9.99999968", run.Error);
        Assert.False(File.Exists(PathOf("labels.nii")));
    }

    [Fact]
    public void Refuses_a_spacing_that_would_resample_to_more_voxels_than_the_limit()
    {
        // 2^70 mm along x (float32 holds it exactly): resampling to 1 mm would ask for ~10^23 voxels.
        var header = NiftiFile.ReadHeader(PathOf("image.nii.gz"));
        using var voxels = zeros(header.TensorShape(VoxelAxisOrder.Zyx));
        NiftiFile.Write(NiftiImage.FromTensor(header with { PixDim = new[] { -1, Math.Pow(2, 70), 1.5, 2, 1, 1, 1, 1 } }, voxels), PathOf("huge.nii"));

        var run = CliRun.Of("infer", "--weights", PathOf("tiny.pt"), "--input", PathOf("huge.nii"), "--output", PathOf("labels.nii"), "--spacing", "1,1,1");

        Assert.True(run.ExitCode == 2, run.ToString());
        var error = Assert.Single(run.Error.Trim().Split('\n'));
        Assert.StartsWith($"{PathOf("huge.nii")}: resampling [40, 36, 30] voxels of spacing [1.1805916207174113E+21, 1.5, 2] to spacing [1, 1, 1] gives [4.72237E+22, 54, 60]", error);
        Assert.EndsWith("more than the 2,147,483,647 a resampled volume may have; check the spacing (pixdim) in the header.", error);
        Assert.False(File.Exists(PathOf("labels.nii")));
    }

    private CliRun Infer(string weights, string output, params string[] more) =>
        CliRun.Of(new[] { "infer", "--weights", PathOf(weights), "--input", PathOf("image.nii.gz"), "--output", PathOf(output) }.Concat(more).ToArray());

    private string PathOf(string name) => Path.Combine(_directory, name);

    /// <summary>
    /// An int16 image with a rotated, shifted qform and sform and anisotropic spacing, so that any lost or transposed
    /// geometry shows. With <paramref name="blob"/>, only the box x 6..29, y 4..24, z 3..19 holds noise; the rest is
    /// -1000 (air), so that a foreground crop after an intensity window removes a margin on every side.
    /// </summary>
    /// <summary>
    /// A float32 copy of image.nii.gz with two NaN, one +inf and one -inf voxel, and the same copy with 0 in their place.
    /// </summary>
    private void WriteWithNonFiniteVoxels(string path, string zeroed)
    {
        var image = NiftiFile.Read(PathOf("image.nii.gz"));
        var header = image.Header with { DataType = NiftiDataType.Float32 };
        using var scope = NewDisposeScope();
        var voxels = image.ToTensor();
        var positions = new[] { (0L, 0L, 0L), (3L, 5L, 7L), (10L, 20L, 30L), (29L, 35L, 39L) };
        var values = new[] { float.NaN, float.NaN, float.PositiveInfinity, float.NegativeInfinity };
        var clean = voxels.clone();
        for (var index = 0; index < positions.Length; index++)
        {
            var (z, y, x) = positions[index];
            voxels[z, y, x] = tensor(values[index]);
            clean[z, y, x] = tensor(0f);
        }

        NiftiFile.Write(NiftiImage.FromTensor(header, voxels), path);
        NiftiFile.Write(NiftiImage.FromTensor(header, clean), zeroed);
    }

    private static void WriteImage(string path, bool blob = false)
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
        using var scope = NewDisposeScope();
        var voxels = (randn(header.TensorShape(VoxelAxisOrder.Zyx)) * 300).round();
        if (blob)
        {
            // [z, y, x] in the file's memory order.
            var inside = zeros_like(voxels, dtype: ScalarType.Bool);
            inside[TensorIndex.Slice(3, 20), TensorIndex.Slice(4, 25), TensorIndex.Slice(6, 30)] = tensor(true);
            voxels = where(inside, voxels, full_like(voxels, -1000));
        }

        NiftiFile.Write(NiftiImage.FromTensor(header, voxels), path);
    }
}
