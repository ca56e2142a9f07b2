using System;
using System.IO;
using System.Linq;
using Unetr.Model.Data.Sources;
using Unetr.Tests.Nifti;
using Xunit;

namespace Unetr.Tests.Data;

public sealed class DatasetJsonTests : IDisposable
{
    private readonly TemporaryDirectory _folder = new();

    public DatasetJsonTests()
    {
        foreach (var name in new[] { "imagesTr/a.nii.gz", "imagesTr/b.nii.gz", "imagesTr/c.nii.gz", "labelsTr/a.nii.gz", "labelsTr/b.nii.gz", "labelsTr/c.nii.gz", "t1/a.nii", "t2/a.nii" })
        {
            NiftiVolumes.WriteText(_folder.File(name), string.Empty);
        }
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Reads_a_decathlon_file_with_paths_relative_to_its_folder()
    {
        var path = Json("""
            {
              "name": "Spleen",
              "tensorImageSize": "3D",
              "modality": { "0": "CT" },
              "labels": { "0": "background", "1": "spleen" },
              "numTraining": 2,
              "training": [
                { "image": "./imagesTr/a.nii.gz", "label": "./labelsTr/a.nii.gz" },
                { "image": "./imagesTr/b.nii.gz", "label": "./labelsTr/b.nii.gz" }
              ],
              "test": [ "./imagesTs/x.nii.gz" ]
            }
            """);

        var description = DatasetJson.Read(path);

        Assert.Equal("Spleen", description.Name);
        Assert.Equal(new[] { "background", "spleen" }, description.ClassNames);
        Assert.Equal(new[] { "CT" }, description.ChannelNames);
        Assert.Equal(
            new[] { (_folder.File("imagesTr/a.nii.gz"), _folder.File("labelsTr/a.nii.gz")), (_folder.File("imagesTr/b.nii.gz"), _folder.File("labelsTr/b.nii.gz")) },
            description.Training.Select(v => (v.ImagePaths.Single(), v.LabelPath)));
        Assert.Null(description.Validation);
        Assert.Equal(_folder.File("imagesTs/x.nii.gz"), description.Test.Single().Single());
    }

    [Fact]
    public void Reads_a_validation_list()
    {
        var path = Json("""
            { "training": [ { "image": "imagesTr/a.nii.gz", "label": "labelsTr/a.nii.gz" } ],
              "validation": [ { "image": "imagesTr/c.nii.gz", "label": "labelsTr/c.nii.gz" } ] }
            """);

        var description = DatasetJson.Read(path);

        Assert.Equal(_folder.File("imagesTr/c.nii.gz"), description.Validation!.Single().ImagePaths.Single());
    }

    [Fact]
    public void Reads_lists_under_keys_the_caller_chooses()
    {
        var path = Json("""
            { "fold0": [ { "image": "imagesTr/a.nii.gz", "label": "labelsTr/a.nii.gz" } ],
              "fold1": [ { "image": "imagesTr/b.nii.gz", "label": "labelsTr/b.nii.gz" }, { "image": "imagesTr/c.nii.gz", "label": "labelsTr/c.nii.gz" } ] }
            """);

        var description = DatasetJson.Read(path, trainingKey: "fold1", validationKey: "fold0");

        Assert.Equal(2, description.Training.Count);
        Assert.Equal(_folder.File("labelsTr/a.nii.gz"), description.Validation!.Single().LabelPath);
    }

    [Fact]
    public void Reads_nnunet_style_labels_and_channel_names_and_one_file_per_channel()
    {
        var path = Json("""
            { "channel_names": { "0": "T1", "1": "T2" },
              "labels": { "background": 0, "tumour": 2, "oedema": 1 },
              "training": [ { "image": [ "t1/a.nii", "t2/a.nii" ], "label": "labelsTr/a.nii.gz" } ] }
            """);

        var description = DatasetJson.Read(path);

        Assert.Equal(new[] { "background", "oedema", "tumour" }, description.ClassNames);
        Assert.Equal(new[] { "T1", "T2" }, description.ChannelNames);
        Assert.Equal(new[] { _folder.File("t1/a.nii"), _folder.File("t2/a.nii") }, description.Training.Single().ImagePaths);
    }

    [Fact]
    public void Missing_file_is_named()
    {
        var missing = _folder.File("nowhere/dataset.json");

        var error = Assert.Throws<DatasetException>(() => DatasetJson.Read(missing));

        Assert.Equal($"No dataset file at '{missing}'.", error.Message);
    }

    [Fact]
    public void Bad_json_is_reported_with_its_line_and_position()
    {
        // Line 3, one-based column 31 is the second string after "a" with no comma between.
        var path = Json("{\n  \"name\": \"x\",\n  \"training\": [ {\"image\": \"a\" \"label\": \"b\"} ]\n}\n");

        var error = Assert.Throws<DatasetException>(() => DatasetJson.Read(path));

        Assert.StartsWith($"{path}: not valid JSON at line 3, position 31: ", error.Message);
        Assert.DoesNotContain("LineNumber", error.Message);
    }

    [Theory]
    [InlineData("""{ "training": [ { "image": "imagesTr/a.nii.gz", "label": "labelsTr/a.nii.gz" }, { "image": "imagesTr/b.nii.gz" } ] }""", "training[1] has no \"label\".")]
    [InlineData("""{ "training": [ { "label": "labelsTr/a.nii.gz" } ] }""", "training[0] has no \"image\".")]
    [InlineData("""{ "training": [] }""", "\"training\" has no entries.")]
    [InlineData("""{ "name": "x", "labels": {} }""", "no \"training\" list (the keys present are \"name\", \"labels\").")]
    [InlineData("""{ "training": { "image": "a" } }""", "\"training\" is an object; expected a list of {\"image\", \"label\"} entries.")]
    [InlineData("""{ "training": [ { "image": 3, "label": "labelsTr/a.nii.gz" } ] }""", "training[0].image is a number; expected a path or a non-empty list of paths.")]
    [InlineData("""{ "labels": { "0": "background", "2": "liver" }, "training": [ { "image": "imagesTr/a.nii.gz", "label": "labelsTr/a.nii.gz" } ] }""", "\"labels\" has no entry 1; expected the numbers 0 to 1, got 0, 2.")]
    public void Malformed_entries_are_named(string json, string problem)
    {
        var path = Json(json);

        var error = Assert.Throws<DatasetException>(() => DatasetJson.Read(path));

        Assert.Equal($"{path}: {problem}", error.Message);
    }

    [Fact]
    public void Label_that_does_not_exist_is_named_with_where_it_was_looked_for()
    {
        var path = Json("""{ "training": [ { "image": "./imagesTr/a.nii.gz", "label": "./labelsTr/z.nii.gz" } ] }""");

        var error = Assert.Throws<DatasetException>(() => DatasetJson.Read(path));

        Assert.Equal($"{path}: training[0].label './labelsTr/z.nii.gz' does not exist (looked for '{_folder.File("labelsTr/z.nii.gz")}').", error.Message);
    }

    [Fact]
    public void Validation_key_named_explicitly_must_exist()
    {
        var path = Json("""{ "training": [ { "image": "imagesTr/a.nii.gz", "label": "labelsTr/a.nii.gz" } ] }""");

        var error = Assert.Throws<DatasetException>(() => DatasetJson.Read(path, validationKey: "fold3"));

        Assert.Equal($"{path}: no \"fold3\" list (the keys present are \"training\").", error.Message);
    }

    private string Json(string text) => NiftiVolumes.WriteText(_folder.File("dataset.json"), text);
}
