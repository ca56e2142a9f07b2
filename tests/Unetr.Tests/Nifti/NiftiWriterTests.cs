using System;
using System.IO;
using System.Linq;
using Unetr.Model.Data.Nifti;
using Xunit;

namespace Unetr.Tests.Nifti;

public sealed class NiftiWriterTests : IDisposable
{
    private readonly TemporaryDirectory folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Replaces_an_existing_file_and_leaves_no_temporary_file()
    {
        var path = folder.File("image.nii.gz");
        File.WriteAllText(path, "previous content");

        NiftiFile.Write(Samples.Image(Samples.Header(NiftiDataType.Int16)), path);

        Assert.Equal(Samples.Dimensions, NiftiFile.Read(path).Header.Dimensions);
        Assert.Equal(new[] { path }, Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void Compresses_only_names_ending_in_nii_gz()
    {
        var image = Samples.Image(Samples.Header(NiftiDataType.Int16));

        NiftiFile.Write(image, folder.File("plain.nii"));
        NiftiFile.Write(image, folder.File("packed.NII.GZ"));

        Assert.Equal(new byte[] { 0x5c, 0x01 }, File.ReadAllBytes(folder.File("plain.nii"))[..2]);
        Assert.Equal(new byte[] { 0x1f, 0x8b }, File.ReadAllBytes(folder.File("packed.NII.GZ"))[..2]);
    }

    [Fact]
    public void Refuses_a_name_that_is_not_nii_or_nii_gz_and_writes_nothing()
    {
        var error = Assert.Throws<ArgumentException>(
            () => NiftiFile.Write(Samples.Image(Samples.Header(NiftiDataType.Int16)), folder.File("image.hdr")));

        Assert.Contains("ends in .nii or .nii.gz", error.Message);
        Assert.Empty(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void Refuses_nifti1_sizes_above_32767_and_keeps_the_previous_file()
    {
        var path = folder.File("wide.nii");
        File.WriteAllText(path, "previous content");
        var header = new NiftiHeader { Dimensions = new long[] { 40000, 1, 1 }, DataType = NiftiDataType.UInt8 };
        var image = NiftiImage.FromTensor(header, TorchSharp.torch.zeros(1, 1, 40000));

        var error = Assert.Throws<ArgumentException>(() => NiftiFile.Write(image, path));

        Assert.Contains("NIfTI-1 stores sizes up to 32,767; dimensions [40000, 1, 1] need NiftiVersion.Nifti2", error.Message);
        Assert.Equal("previous content", File.ReadAllText(path));
        Assert.Equal(new[] { path }, Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void Writes_nifti2_sizes_above_32767()
    {
        var path = folder.File("wide.nii");
        var header = new NiftiHeader { Version = NiftiVersion.Nifti2, Dimensions = new long[] { 40000, 1, 1 }, DataType = NiftiDataType.UInt8 };

        NiftiFile.Write(NiftiImage.FromTensor(header, TorchSharp.torch.ones(1, 1, 40000)), path);

        Assert.Equal(40000, NiftiFile.Read(path).Header.Dimensions[0]);
    }

    [Fact]
    public void Refuses_a_description_longer_than_80_characters()
    {
        var header = Samples.Header(NiftiDataType.Int16) with { Description = new string('d', 81) };

        var error = Assert.Throws<ArgumentException>(() => NiftiFile.Write(Samples.Image(header), folder.File("x.nii")));

        Assert.Contains("descrip holds at most 80 single-byte characters", error.Message);
    }

    [Fact]
    public void Writes_a_label_map_on_the_grid_of_the_image_it_was_predicted_from()
    {
        var scan = Samples.Image(Samples.Header(NiftiDataType.Int16));
        using var labels = TorchSharp.torch.arange(5 * 4 * 3).remainder(3).reshape(3, 4, 5);
        var path = folder.File("labels.nii.gz");

        NiftiFile.Write(NiftiImage.FromTensor(scan.Header.ForLabelMap(), labels), path);
        var read = NiftiFile.Read(path);

        Assert.Equal(scan.Header.GetAffine(), read.Header.GetAffine());
        Assert.Equal(NiftiDataType.UInt8, read.Header.DataType);
        using var values = read.ToTensor();
        Assert.True(values.to_type(TorchSharp.torch.ScalarType.Int64).equal(labels).all().item<bool>());
    }
}
