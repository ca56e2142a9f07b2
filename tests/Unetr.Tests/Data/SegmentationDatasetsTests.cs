using System;
using System.IO;
using System.Linq;
using Unetr.Model.Data;
using Unetr.Model.Data.Nifti;
using Unetr.Model.Data.Sources;
using Unetr.Tests.Nifti;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Data;

public sealed class SegmentationDatasetsTests : IDisposable
{
    private readonly TemporaryDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Opens_a_dataset_json_and_holds_out_validation_volumes_by_seed()
    {
        using var scope = NewDisposeScope();
        WriteCases("abcde");
        var json = NiftiVolumes.WriteText(_folder.File("dataset.json"), """
            { "name": "Toy", "labels": { "0": "background", "1": "organ", "2": "lesion" }, "modality": { "0": "CT" },
              "training": [ { "image": "./imagesTr/a.nii.gz", "label": "./labelsTr/a.nii.gz" }, { "image": "./imagesTr/b.nii.gz", "label": "./labelsTr/b.nii.gz" },
                            { "image": "./imagesTr/c.nii.gz", "label": "./labelsTr/c.nii.gz" }, { "image": "./imagesTr/d.nii.gz", "label": "./labelsTr/d.nii.gz" },
                            { "image": "./imagesTr/e.nii.gz", "label": "./labelsTr/e.nii.gz" } ] }
            """);

        using var splits = SegmentationDatasets.Open(json, options: new DatasetOpenOptions { ValidationFraction = 0.4, SplitSeed = 3 });
        using var again = SegmentationDatasets.Open(json, options: new DatasetOpenOptions { ValidationFraction = 0.4, SplitSeed = 3 });

        Assert.Equal("Toy", splits.Name);
        Assert.Equal(new[] { "background", "organ", "lesion" }, splits.ClassNames);
        Assert.Equal(1, splits.InputChannels);
        Assert.True(splits.ValidationHeldOut);
        Assert.Equal(3, splits.Training.Count);
        Assert.Equal(2, splits.Validation.Count);
        Assert.Equal(Files(splits.Validation), Files(again.Validation));
        Assert.Empty(Files(splits.Training).Intersect(Files(splits.Validation)));
        var (image, label) = splits.Training.Get(0);
        Assert.Equal(new long[] { 1, 6, 5, 4 }, image.shape);
        Assert.Equal(new long[] { 6, 5, 4 }, label.shape);
    }

    [Fact]
    public void Opens_a_folder_of_pairs_naming_classes_up_to_the_highest_label()
    {
        WriteCases("ab");

        using var splits = SegmentationDatasets.Open(_folder.Path);

        Assert.Equal(new[] { "background", "class 1", "class 2" }, splits.ClassNames);
        Assert.Equal(Path.GetFileName(_folder.Path), splits.Name);
        Assert.Equal(1, splits.Training.Count);
        Assert.Equal(1, splits.Validation.Count);
    }

    [Fact]
    public void A_folder_with_a_dataset_json_is_read_through_the_json()
    {
        WriteCases("ab");
        NiftiVolumes.WriteText(_folder.File("dataset.json"), """
            { "labels": { "0": "background", "1": "organ", "2": "lesion", "3": "cyst" },
              "training": [ { "image": "imagesTr/a.nii.gz", "label": "labelsTr/a.nii.gz" } ],
              "validation": [ { "image": "imagesTr/b.nii.gz", "label": "labelsTr/b.nii.gz" } ] }
            """);

        using var splits = SegmentationDatasets.Open(_folder.Path);

        Assert.Equal(4, splits.ClassNames.Count);
        Assert.False(splits.ValidationHeldOut);
        Assert.Equal(new[] { _folder.File("imagesTr/b.nii.gz") }, Files(splits.Validation));
    }

    [Fact]
    public void Preprocessing_reaches_every_volume()
    {
        using var scope = NewDisposeScope();
        WriteCases("ab");

        using var splits = SegmentationDatasets.Open(_folder.Path, new VolumePreprocessing { TargetSpacing = new[] { 2.0, 2.5, 4.0 } });

        // 6 × 5 × 4 voxels of 1 mm become round(6/2) × round(5/2.5) × round(4/4) = 3 × 2 × 1 (x, y, z: the default order).
        Assert.Equal(new long[] { 1, 3, 2, 1 }, splits.Training.Get(0).Image.shape);
        Assert.Equal(new long[] { 3, 2, 1 }, splits.Validation.Get(0).Label.shape);
    }

    [Fact]
    public void Network_that_does_not_fit_is_refused_naming_both_sides()
    {
        WriteCases("ab");
        using var splits = SegmentationDatasets.Open(_folder.Path);

        var error = Assert.Throws<DatasetException>(() => splits.EnsureFits("MonaiBtcvUnetr", 1, 14));

        Assert.Equal(
            $"MonaiBtcvUnetr takes 1 input channel(s) and predicts 14 classes, but the dataset '{splits.Name}' has 1 channel(s) and 3 classes (background, class 1, class 2); choose a network with 1 input channel(s) and 3 classes.",
            error.Message);
        splits.EnsureFits("TinyMonaiUnetr", 1, 3);
    }

    [Fact]
    public void Images_with_different_channel_counts_are_refused()
    {
        WriteCases("a");
        NiftiVolumes.Write(_folder.File("imagesTr/b.nii.gz"), 6, 5, 4, (c, x, y, z) => c, channels: 2);
        NiftiVolumes.WriteLabel(_folder.File("labelsTr/b.nii.gz"), 6, 5, 4, (x, y, z) => 0);

        var error = Assert.Throws<DatasetException>(() => SegmentationDatasets.Open(_folder.Path));

        Assert.Equal($"{_folder.File("imagesTr/b.nii.gz")}: 2 channel(s), but {_folder.File("imagesTr/a.nii.gz")} has 1; every image of a dataset needs the same channels.", error.Message);
    }

    [Fact]
    public void Channel_names_must_match_the_images()
    {
        WriteCases("ab");
        var json = NiftiVolumes.WriteText(_folder.File("dataset.json"), """
            { "modality": { "0": "FLAIR", "1": "T1w" }, "training": [ { "image": "imagesTr/a.nii.gz", "label": "labelsTr/a.nii.gz" }, { "image": "imagesTr/b.nii.gz", "label": "labelsTr/b.nii.gz" } ] }
            """);

        var error = Assert.Throws<DatasetException>(() => SegmentationDatasets.Open(json));

        Assert.Equal($"{json}: names 2 channel(s) (FLAIR, T1w) but the images have 1 ({_folder.File("imagesTr/a.nii.gz")}).", error.Message);
    }

    [Fact]
    public void A_single_volume_without_a_validation_list_cannot_be_split()
    {
        WriteCases("a");

        var error = Assert.Throws<DatasetException>(() => SegmentationDatasets.Open(_folder.Path));

        Assert.Equal(
            $"{_folder.Path}: lists no validation volumes and only 1 training volume, so none can be held out; add a \"validation\" list or more training volumes.",
            error.Message);
    }

    [Fact]
    public void Missing_path_is_named()
    {
        var missing = _folder.File("absent");

        var error = Assert.Throws<DatasetException>(() => SegmentationDatasets.Open(missing));

        Assert.Equal($"No dataset at '{missing}': expected a dataset.json or a folder with imagesTr/ + labelsTr/ (or images/ + labels/).", error.Message);
    }

    [Fact]
    public void Synthetic_splits_describe_the_embedded_volumes()
    {
        using var scope = NewDisposeScope();
        using var splits = SegmentationDatasets.Synthetic(4, 2, 16);

        Assert.Equal(4, splits.Training.Count);
        Assert.Equal(2, splits.Validation.Count);
        Assert.Equal(new[] { "background", "ellipsoid", "box" }, splits.ClassNames);
        Assert.Equal(new long[] { 1, 16, 16, 16 }, splits.Training.Get(0).Image.shape);
    }

    [Fact]
    public void Listing_files_splits_as_opening_does_without_reading_a_volume()
    {
        WriteCases("abcde");
        var options = new DatasetOpenOptions { ValidationFraction = 0.4, SplitSeed = 3 };
        using var splits = SegmentationDatasets.Open(_folder.Path, options: options);
        File.WriteAllText(_folder.File("imagesTr/a.nii.gz"), "not a volume any more");

        var (description, training, validation) = SegmentationDatasets.ListFiles(_folder.Path, options);

        Assert.Equal(Files(splits.Training), training.Select(f => f.ImagePaths.Single()));
        Assert.Equal(Files(splits.Validation), validation.Select(f => f.ImagePaths.Single()));
        Assert.Null(description.Validation);
    }

    [Fact]
    public void A_volume_read_as_original_keeps_the_file_grid_values_and_spacing()
    {
        using var scope = NewDisposeScope();
        NiftiVolumes.Write(_folder.File("image.nii.gz"), 6, 5, 4, (_, x, y, z) => 100 * x + 10 * y + z, spacing: new[] { 0.5, 1.5, 2.5 });
        NiftiVolumes.WriteLabel(_folder.File("label.nii.gz"), 6, 5, 4, (x, y, z) => x < 2 ? 0 : 1, spacing: new[] { 0.5, 1.5, 2.5 });

        var (image, label, spacing) = NiftiSegmentationDataset.ReadOriginal(new VolumeFiles(_folder.File("image.nii.gz"), _folder.File("label.nii.gz")), VoxelAxisOrder.Xyz, classCount: 2);

        Assert.Equal(new long[] { 1, 6, 5, 4 }, image.shape);
        Assert.Equal(543f, image[0, 5, 4, 3].item<float>());
        Assert.Equal(ScalarType.Int64, label.dtype);
        Assert.Equal(1L, label[2, 0, 0].item<long>());
        Assert.Equal(new[] { 0.5, 1.5, 2.5 }, spacing);
    }

    private static string[] Files(ISegmentationDataset dataset) =>
        ((NiftiSegmentationDataset)dataset).Files.Select(f => f.ImagePaths.Single()).ToArray();

    /// <summary>One 6 × 5 × 4 volume per letter in imagesTr/ and labelsTr/; labels 0, 1 and 2 all occur.</summary>
    private void WriteCases(string names)
    {
        foreach (var name in names)
        {
            NiftiVolumes.Write(_folder.File($"imagesTr/{name}.nii.gz"), 6, 5, 4, (_, x, y, z) => x + y + z);
            NiftiVolumes.WriteLabel(_folder.File($"labelsTr/{name}.nii.gz"), 6, 5, 4, (x, y, z) => x < 2 ? 0 : x < 4 ? 1 : 2);
        }
    }
}
