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

public sealed class NiftiSegmentationDatasetTests : IDisposable
{
    private static readonly VolumePreprocessing ZyxOnly = new() { AxisOrder = VoxelAxisOrder.Zyx };

    private readonly TemporaryDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Zyx_order_puts_z_first_and_x_last()
    {
        using var scope = NewDisposeScope();
        // 4 × 3 × 2 voxels whose value spells out its position: 100x + 10y + z.
        var files = Pair("a", 4, 3, 2, (_, x, y, z) => 100 * x + 10 * y + z, (x, y, z) => x == 3 && y == 0 && z == 1 ? 2 : 0);
        using var dataset = new NiftiSegmentationDataset(new[] { files }, classCount: 3, ZyxOnly);

        var (image, label) = dataset.Get(0);

        Assert.Equal(new long[] { 1, 2, 3, 4 }, image.shape);
        Assert.Equal(ScalarType.Float32, image.dtype);
        Assert.Equal(new long[] { 2, 3, 4 }, label.shape);
        Assert.Equal(ScalarType.Int64, label.dtype);
        Assert.Equal(321f, image[0, 1, 2, 3].item<float>());
        Assert.Equal(2L, label[1, 0, 3].item<long>());
        Assert.Equal(2L, label.sum().item<long>());
    }

    [Fact]
    public void Default_order_puts_x_first_as_monai_does()
    {
        using var scope = NewDisposeScope();
        var files = Pair("a", 4, 3, 2, (_, x, y, z) => 100 * x + 10 * y + z, (x, y, z) => x == 3 && y == 0 && z == 1 ? 2 : 0);
        using var dataset = new NiftiSegmentationDataset(new[] { files });

        var (image, label) = dataset.Get(0);

        Assert.Equal(new long[] { 1, 4, 3, 2 }, image.shape);
        Assert.Equal(321f, image[0, 3, 2, 1].item<float>());
        Assert.Equal(2L, label[3, 0, 1].item<long>());
    }

    [Theory]
    [InlineData(VoxelAxisOrder.Zyx)]
    [InlineData(VoxelAxisOrder.Xyz)]
    public void Label_map_written_back_with_the_image_header_lands_on_the_same_voxels(VoxelAxisOrder order)
    {
        using var scope = NewDisposeScope();
        var files = Pair("a", 5, 4, 3, (_, x, y, z) => x, (x, y, z) => (int)((x + 2 * y + 3 * z) % 3));
        using var dataset = new NiftiSegmentationDataset(new[] { files }, preprocessing: new VolumePreprocessing { AxisOrder = order });
        var (_, label) = dataset.Get(0);
        var imageHeader = NiftiFile.ReadHeader(files.ImagePaths[0]);

        var written = _folder.File($"written-{order}.nii.gz");
        NiftiFile.Write(NiftiImage.FromTensor(imageHeader.ForLabelMap(), label, order), written);

        var original = NiftiFile.Read(files.LabelPath);
        var reread = NiftiFile.Read(written);
        Assert.Equal(original.Header.Dimensions, reread.Header.Dimensions);
        Assert.Equal(imageHeader.GetAffine(), reread.Header.GetAffine());
        Assert.True(original.StoredVoxels.SequenceEqual(reread.StoredVoxels));
    }

    [Fact]
    public void Fourth_dimension_and_extra_files_become_channels()
    {
        using var scope = NewDisposeScope();
        var label = _folder.File("labels/a.nii.gz");
        NiftiVolumes.WriteLabel(label, 3, 2, 2, (x, y, z) => 0);
        var fourD = NiftiVolumes.Write(_folder.File("images/a4d.nii.gz"), 3, 2, 2, (c, x, y, z) => c * 10 + x, channels: 2);
        var extra = NiftiVolumes.Write(_folder.File("images/a3d.nii.gz"), 3, 2, 2, (c, x, y, z) => 99);
        using var dataset = new NiftiSegmentationDataset(new[] { new VolumeFiles(new[] { fourD, extra }, label) }, preprocessing: ZyxOnly);

        var (image, _) = dataset.Get(0);

        Assert.Equal(new long[] { 3, 2, 2, 3 }, image.shape);
        Assert.Equal(new double[] { 0, 1, 2 }, NiftiVolumes.Values(image[0, 0, 0]));
        Assert.Equal(new double[] { 10, 11, 12 }, NiftiVolumes.Values(image[1, 1, 1]));
        Assert.Equal(new double[] { 99, 99, 99 }, NiftiVolumes.Values(image[2, 0, 1]));
        Assert.Equal(3, NiftiSegmentationDataset.ChannelCount(dataset.Files[0]));
    }

    [Fact]
    public void Get_returns_copies_so_the_cache_cannot_be_changed_by_the_caller()
    {
        using var scope = NewDisposeScope();
        var files = Pair("a", 3, 3, 3, (_, x, y, z) => 1, (x, y, z) => 1);
        using var dataset = new NiftiSegmentationDataset(new[] { files });

        var (first, firstLabel) = dataset.Get(0);
        first.mul_(0);
        firstLabel.mul_(0);
        var (second, secondLabel) = dataset.Get(0);

        Assert.Equal(27.0, second.sum().item<float>());
        Assert.Equal(27L, secondLabel.sum().item<long>());
    }

    [Fact]
    public void Preprocessing_is_applied_when_loading()
    {
        using var scope = NewDisposeScope();
        var files = Pair("a", 4, 2, 2, (_, x, y, z) => x * 100, (x, y, z) => 0);
        var preprocessing = ZyxOnly with { Window = new IntensityWindow(0, 200) };
        using var dataset = new NiftiSegmentationDataset(new[] { files }, preprocessing: preprocessing);

        var (image, _) = dataset.Get(0);

        Assert.Equal(new double[] { 0, 0.5, 1, 1 }, NiftiVolumes.Values(image[0, 0, 0]));
    }

    [Fact]
    public void Nothing_is_read_before_a_volume_is_used()
    {
        using var scope = NewDisposeScope();
        var files = new VolumeFiles(_folder.File("images/missing.nii.gz"), _folder.File("labels/missing.nii.gz"));
        using var dataset = new NiftiSegmentationDataset(new[] { files });

        Assert.Equal(1, dataset.Count);
        var error = Assert.ThrowsAny<IOException>(() => dataset.Get(0));
        Assert.Contains(files.ImagePaths[0], error.Message);
    }

    [Fact]
    public void Label_value_beyond_the_classes_is_named()
    {
        using var scope = NewDisposeScope();
        var files = Pair("a", 3, 3, 3, (_, x, y, z) => 0, (x, y, z) => x == 2 ? 4 : 0);
        using var dataset = new NiftiSegmentationDataset(new[] { files }, classCount: 3);

        var error = Assert.Throws<DatasetException>(() => dataset.Get(0));

        Assert.Equal($"{files.LabelPath}: label value 4 is not a class; the dataset has 3 classes (0 to 2).", error.Message);
    }

    [Fact]
    public void Fractional_label_is_named()
    {
        using var scope = NewDisposeScope();
        var label = NiftiVolumes.Write(_folder.File("labels/a.nii.gz"), 2, 2, 2, (_, x, y, z) => x == 1 && y == 1 && z == 1 ? 1.5 : 0);
        var image = NiftiVolumes.Write(_folder.File("images/a.nii.gz"), 2, 2, 2, (_, x, y, z) => 0);
        using var dataset = new NiftiSegmentationDataset(new[] { new VolumeFiles(image, label) });

        var error = Assert.Throws<DatasetException>(() => dataset.Get(0));

        Assert.Equal($"{label}: label value 1.5 is not a whole number; a label map holds class indices.", error.Message);
    }

    [Fact]
    public void Label_map_of_another_size_is_named_with_both_sizes()
    {
        using var scope = NewDisposeScope();
        var image = NiftiVolumes.Write(_folder.File("images/a.nii.gz"), 4, 3, 2, (_, x, y, z) => 0);
        var label = NiftiVolumes.WriteLabel(_folder.File("labels/a.nii.gz"), 4, 3, 3, (x, y, z) => 0);
        using var dataset = new NiftiSegmentationDataset(new[] { new VolumeFiles(image, label) });

        var error = Assert.Throws<DatasetException>(() => dataset.Get(0));

        Assert.Equal($"{label}: label map of size [4, 3, 3] does not match its image {image} of spatial size [4, 3, 2].", error.Message);
    }

    [Fact]
    public void Highest_label_is_found_across_volumes()
    {
        var a = Pair("a", 2, 2, 2, (_, x, y, z) => 0, (x, y, z) => (int)x);
        var b = Pair("b", 2, 2, 2, (_, x, y, z) => 0, (x, y, z) => (int)(x + y + z));
        using var dataset = new NiftiSegmentationDataset(new[] { a, b });

        Assert.Equal(3, dataset.HighestLabel());
    }

    [Fact]
    public void Refuses_a_training_image_with_a_nan_voxel_naming_the_file()
    {
        var files = Pair("nan", 4, 3, 2, (_, x, y, z) => x == 2 && y == 1 ? double.NaN : 1, (_, _, _) => 0);
        using var dataset = new NiftiSegmentationDataset(new[] { files });

        var error = Assert.Throws<NiftiFormatException>(() => dataset.Get(0));

        Assert.Equal(files.ImagePaths[0], error.FilePath);
        Assert.StartsWith("2 non-finite voxels (2 NaN, 0 +inf, 0 -inf)", error.Problem);
    }

    [Fact]
    public void Replaces_non_finite_training_voxels_with_zero_when_asked_and_reports_them()
    {
        using var scope = NewDisposeScope();
        var files = Pair("inf", 4, 3, 2, (_, x, y, z) => x == 0 && z == 1 ? double.PositiveInfinity : 5, (_, _, _) => 0);
        var reports = new System.Collections.Generic.List<(string, long)>();
        using var dataset = new NiftiSegmentationDataset(new[] { files }, nonFiniteVoxels: NonFiniteVoxels.Zero, nonFiniteVoxelsReplaced: (path, count) => reports.Add((path, count)));

        var (image, _) = dataset.Get(0);

        Assert.Equal(new[] { (files.ImagePaths[0], 3L) }, reports);
        Assert.Equal(0f, image[0, 0, 1, 1].item<float>());
        Assert.Equal(5f * 24 - 5f * 3, image.sum().item<float>());
    }

    private VolumeFiles Pair(string name, long nx, long ny, long nz, Func<long, long, long, long, double> image, Func<long, long, long, int> label) =>
        new(
            NiftiVolumes.Write(_folder.File($"images/{name}.nii.gz"), nx, ny, nz, image),
            NiftiVolumes.WriteLabel(_folder.File($"labels/{name}.nii.gz"), nx, ny, nz, label));
}
