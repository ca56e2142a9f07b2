using System;
using System.IO;
using Unetr.Model.Data;
using Unetr.Model.Data.Nifti;
using Unetr.Tests.Nifti;
using Xunit;

namespace Unetr.Tests.Data;

public sealed class PreprocessingFileTests : IDisposable
{
    private readonly TemporaryDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Every_setting_survives_a_write_and_a_read()
    {
        var written = new VolumePreprocessing
        {
            AxisOrder = VoxelAxisOrder.Zyx,
            TargetSpacing = new[] { 1.5, 0.75, 2 },
            Window = new IntensityWindow(-175, 250, -1, 2, Clip: false),
            CropForeground = new ForegroundCropping(Threshold: 0.25, Margin: 3),
            Normalize = new ZScoreNormalization(NonzeroOnly: true, ChannelWise: false),
        };
        var path = _folder.File("best.preprocessing.json");

        PreprocessingFile.Write(path, written);
        var read = PreprocessingFile.Read(path);

        Assert.Equal(VoxelAxisOrder.Zyx, read.AxisOrder);
        Assert.Equal(new[] { 1.5, 0.75, 2 }, read.TargetSpacing);
        Assert.Equal(written.Window, read.Window);
        Assert.Equal(written.CropForeground, read.CropForeground);
        Assert.Equal(written.Normalize, read.Normalize);
        Assert.Equal(new[] { "best.preprocessing.json" }, Array.ConvertAll(Directory.GetFiles(_folder.Path), Path.GetFileName));
    }

    [Fact]
    public void Steps_not_taken_are_written_as_null_with_monai_field_names()
    {
        var json = PreprocessingFile.ToJson(new VolumePreprocessing { Window = new IntensityWindow(-175, 250) });

        Assert.Equal(
            """
            {
              "axis_order": "xyz",
              "spacing": null,
              "intensity_window": {
                "a_min": -175,
                "a_max": 250,
                "b_min": 0,
                "b_max": 1,
                "clip": true
              },
              "crop_foreground": null,
              "normalize": null
            }

            """.ReplaceLineEndings("\n"),
            json.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void An_empty_object_is_no_preprocessing_and_optional_fields_take_their_defaults()
    {
        var none = PreprocessingFile.FromJson("{}", "none.json");
        var partial = PreprocessingFile.FromJson("""{ "intensity_window": { "a_min": 0, "a_max": 10 }, "crop_foreground": {} }""", "partial.json");

        Assert.Equal(VolumePreprocessing.None, none);
        Assert.Equal(new IntensityWindow(0, 10), partial.Window);
        Assert.Equal(new ForegroundCropping(), partial.CropForeground);
    }

    [Theory]
    [InlineData("""{ "axis_order": "yxz" }""", "f.json: axis_order must be \"xyz\" or \"zyx\".")]
    [InlineData("""{ "spacing": [1, 2] }""", "f.json: spacing must be three positive numbers [x, y, z] or null.")]
    [InlineData("""{ "spacing": [1, 0, 2] }""", "f.json: spacing must be three positive numbers [x, y, z] or null.")]
    [InlineData("""{ "intensity_window": { "a_min": 250, "a_max": -175 } }""", "f.json: intensity_window must be a_max greater than a_min; got a_min 250, a_max -175.")]
    [InlineData("""{ "intensity_window": { "a_max": 1 } }""", "f.json: intensity_window.a_min must be a number.")]
    [InlineData("""{ "crop_foreground": { "margin": 1.5 } }""", "f.json: crop_foreground.margin must be a whole number of voxels, 0 or more.")]
    [InlineData("""{ "normalize": true }""", "f.json: normalize must be an object or null.")]
    [InlineData("""{ "normalize": { "nonzero": 1 } }""", "f.json: normalize.nonzero must be true or false.")]
    [InlineData("[]", "f.json: the file must be an object with axis_order, spacing, intensity_window, crop_foreground and normalize.")]
    public void Malformed_fields_are_named_with_what_they_must_be(string json, string message)
    {
        var error = Assert.Throws<InvalidDataException>(() => PreprocessingFile.FromJson(json, "f.json"));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Text_that_is_not_json_names_the_file()
    {
        var error = Assert.Throws<InvalidDataException>(() => PreprocessingFile.FromJson("{ spacing", "f.json"));

        Assert.StartsWith("f.json: not valid JSON (", error.Message);
    }

    [Theory]
    [InlineData("runs/train/best.pt", "runs/train/best.preprocessing.json")]
    [InlineData("model.safetensors", "model.preprocessing.json")]
    public void The_file_sits_beside_the_weights_under_their_name(string weights, string expected)
    {
        Assert.Equal(expected, PreprocessingFile.BesideWeights(weights));
    }
}
