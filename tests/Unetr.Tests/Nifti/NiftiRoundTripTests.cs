using System;
using System.Linq;
using Unetr.Model.Data.Nifti;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Nifti;

public sealed class NiftiRoundTripTests
{
    public static readonly TheoryData<NiftiDataType, NiftiVersion, NiftiByteOrder, string> Formats = AllFormats();

    [Theory]
    [MemberData(nameof(Formats))]
    public void Keeps_header_geometry_scaling_and_stored_voxels(
        NiftiDataType type, NiftiVersion version, NiftiByteOrder byteOrder, string extension)
    {
        var original = Samples.Image(Samples.Header(type, version, byteOrder));
        using var folder = new TemporaryDirectory();
        var path = folder.File("image" + extension);

        NiftiFile.Write(original, path);
        var read = NiftiFile.Read(path);

        Assert.Equal(original.Header, read.Header);
        Assert.True(original.StoredVoxels.SequenceEqual(read.StoredVoxels), "stored voxels differ");
        Assert.Equal(original.Header.GetAffine(), read.Header.GetAffine());
        Assert.Equal(original.Header.GetQformAffine(), read.Header.GetQformAffine());
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Reads_back_the_scaled_values(NiftiDataType type, NiftiVersion version, NiftiByteOrder byteOrder, string extension)
    {
        var header = Samples.Header(type, version, byteOrder);
        var stored = Samples.StoredValues(type, header.VoxelCount);
        using var folder = new TemporaryDirectory();
        var path = folder.File("image" + extension);

        NiftiFile.Write(Samples.Image(header), path);
        using var values = NiftiFile.Read(path).ToTensor(VoxelAxisOrder.Zyx, ScalarType.Float64);

        var expected = stored.Select(value => value * header.ScaleSlope + header.ScaleIntercept).ToArray();
        Assert.Equal(expected, values.reshape(-1).data<double>().ToArray());
    }

    private static TheoryData<NiftiDataType, NiftiVersion, NiftiByteOrder, string> AllFormats()
    {
        var data = new TheoryData<NiftiDataType, NiftiVersion, NiftiByteOrder, string>();
        foreach (var type in Enum.GetValues<NiftiDataType>())
        {
            foreach (var version in Enum.GetValues<NiftiVersion>())
            {
                foreach (var byteOrder in Enum.GetValues<NiftiByteOrder>())
                {
                    foreach (var extension in new[] { ".nii", ".nii.gz" })
                    {
                        data.Add(type, version, byteOrder, extension);
                    }
                }
            }
        }

        return data;
    }
}
