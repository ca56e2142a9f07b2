using System;
using System.Collections.Generic;
using System.Linq;
using Unetr.Model.Data.Nifti;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Nifti;

/// <summary>Files written by other software (nibabel's test data), read as nibabel reads them.</summary>
public sealed class NibabelFileTests
{
    // Expected values printed by nibabel 5.0.0 (Debian 12 python3-nibabel 5.0.0-2, numpy 1.24.2; the files are in NibabelFiles/) with
    // tests/Unetr.Tests/Nifti/nibabel_expected.py; its core is
    //   python3 -c "import nibabel as n; i = n.load(F); h = i.header; d = i.get_fdata();
    //               print(h['dim'], h['pixdim'], i.dataobj.slope, i.dataobj.inter, h.get_qform(), h.get_sform(),
    //                     i.affine, d.sum(), d.min(), d.max())"
    // (header fields from the raw header, since nibabel blanks scl_* on load). Probes are nibabel's d[i, j, k, ...]:
    // the first voxel, the middle one, the last one and one at two thirds of every axis.
    private static readonly Dictionary<string, NibabelExpectation> Expected = new()
    {
        ["anatomical.nii"] = new(
            NiftiVersion.Nifti1, NiftiByteOrder.BigEndian, NiftiDataType.Int16,
            Dimensions: new long[] { 33, 41, 25 },
            PixDim: new double[] { -1, 2, 2, 2, 0, 0, 0, 0 },
            ScaleSlope: 1, ScaleIntercept: 0,
            QformCode: 2, SformCode: 2,
            Qform: new double[,] { { -2, 0, 0, 32 }, { 0, 2, 0, -40 }, { 0, 0, 2, -16 }, { 0, 0, 0, 1 } },
            Sform: new double[,] { { -2, 0, 0, 32 }, { 0, 2, 0, -40 }, { 0, 0, 2, -16 }, { 0, 0, 0, 1 } },
            Affine: new double[,] { { -2, 0, 0, 32 }, { 0, 2, 0, -40 }, { 0, 0, 2, -16 }, { 0, 0, 0, 1 } },
            Sum: 284166082, Min: -610, Max: 30393,
            Probes: new (long[], double)[] { (new long[] { 0, 0, 0 }, 10712), (new long[] { 16, 20, 12 }, 11881), (new long[] { 32, 40, 24 }, 2971), (new long[] { 22, 27, 16 }, 5632) }),
        ["example4d.nii.gz"] = new(
            NiftiVersion.Nifti1, NiftiByteOrder.LittleEndian, NiftiDataType.Int16,
            Dimensions: new long[] { 128, 96, 24, 2 },
            PixDim: new double[] { -1, 2, 2, 2.1999990940093994, 2000, 1, 1, 1 },
            ScaleSlope: 1, ScaleIntercept: 0,
            QformCode: 1, SformCode: 1,
            Qform: new double[,] { { -1.999999995978187, 1.0282396754185892e-05, 0.00013905980362440367, 117.8551025390625 }, { -1.0282396754185892e-05, 1.9737114380364735, -0.3555282247524397, -35.72294235229492 }, { 0.00012641805535562603, 0.32320761014906196, 2.1710816833341227, -7.248798370361328 }, { 0, 0, 0, 1 } },
            Sform: new double[,] { { -2, 6.714715653593746e-19, 9.081024511081715e-18, 117.8551025390625 }, { -6.714715653593746e-19, 1.9737114906311035, -0.35552823543548584, -35.72294235229492 }, { 8.25548088896093e-18, 0.3232076168060303, 2.171081781387329, -7.248798370361328 }, { 0, 0, 0, 1 } },
            Affine: new double[,] { { -2, 6.714715653593746e-19, 9.081024511081715e-18, 117.8551025390625 }, { -6.714715653593746e-19, 1.9737114906311035, -0.35552823543548584, -35.72294235229492 }, { 8.25548088896093e-18, 0.3232076168060303, 2.171081781387329, -7.248798370361328 }, { 0, 0, 0, 1 } },
            Sum: 101985356, Min: 0, Max: 1162,
            Probes: new (long[], double)[] { (new long[] { 0, 0, 0, 0 }, 0), (new long[] { 64, 48, 12, 1 }, 266), (new long[] { 127, 95, 23, 1 }, 0), (new long[] { 85, 64, 16, 1 }, 535) },
            QformTolerance: RoundedHalfTurnTolerance),
        ["example_nifti2.nii.gz"] = new(
            NiftiVersion.Nifti2, NiftiByteOrder.LittleEndian, NiftiDataType.Int16,
            Dimensions: new long[] { 32, 20, 12, 2 },
            PixDim: new double[] { -1, 2, 2, 2.1999990940093994, 2000, 1, 1, 1 },
            ScaleSlope: 1, ScaleIntercept: 0,
            QformCode: 1, SformCode: 1,
            Qform: new double[,] { { -1.999999995978187, 1.0282396754185892e-05, 0.00013905980362440367, 117.8551025390625 }, { -1.0282396754185892e-05, 1.9737114380364735, -0.3555282247524397, -35.72294235229492 }, { 0.00012641805535562603, 0.32320761014906196, 2.1710816833341227, -7.248798370361328 }, { 0, 0, 0, 1 } },
            Sform: new double[,] { { -2, 6.714715653593746e-19, 9.081024511081715e-18, 117.8551025390625 }, { -6.714715653593746e-19, 1.9737114906311035, -0.35552823543548584, -35.72294235229492 }, { 8.25548088896093e-18, 0.3232076168060303, 2.171081781387329, -7.248798370361328 }, { 0, 0, 0, 1 } },
            Affine: new double[,] { { -2, 6.714715653593746e-19, 9.081024511081715e-18, 117.8551025390625 }, { -6.714715653593746e-19, 1.9737114906311035, -0.35552823543548584, -35.72294235229492 }, { 8.25548088896093e-18, 0.3232076168060303, 2.171081781387329, -7.248798370361328 }, { 0, 0, 0, 1 } },
            Sum: 6926802, Min: 46, Max: 757,
            Probes: new (long[], double)[] { (new long[] { 0, 0, 0, 0 }, 424), (new long[] { 16, 10, 6, 1 }, 266), (new long[] { 31, 19, 11, 1 }, 457), (new long[] { 21, 13, 8, 1 }, 479) },
            QformTolerance: RoundedHalfTurnTolerance),
        ["functional.nii"] = new(
            NiftiVersion.Nifti1, NiftiByteOrder.LittleEndian, NiftiDataType.Int16,
            Dimensions: new long[] { 17, 21, 3, 20 },
            PixDim: new double[] { -1, 4, 4, 8, 2, 0, 0, 0 },
            ScaleSlope: 0.07540696859359741, ScaleIntercept: 3100.76171875,
            QformCode: 2, SformCode: 2,
            Qform: new double[,] { { -4, 0, 0, 32 }, { 0, 4, 0, -40 }, { 0, 0, 8, 0 }, { 0, 0, 0, 1 } },
            Sform: new double[,] { { -4, 0, 0, 32 }, { 0, 4, 0, -40 }, { 0, 0, 8, 0 }, { 0, 0, 0, 1 } },
            Affine: new double[,] { { -4, 0, 0, 32 }, { 0, 4, 0, -40 }, { 0, 0, 8, 0 }, { 0, 0, 0, 1 } },
            Sum: 77913290.36292362, Min: 629.826171875, Max: 5571.621858656406,
            Probes: new (long[], double)[] { (new long[] { 0, 0, 0, 0 }, 4004.137202501297), (new long[] { 8, 10, 1, 10 }, 3937.251221358776), (new long[] { 16, 20, 2, 19 }, 3129.3409598469734), (new long[] { 11, 14, 2, 13 }, 4125.919456779957) }),
        ["standard.nii.gz"] = new(
            NiftiVersion.Nifti1, NiftiByteOrder.LittleEndian, NiftiDataType.UInt8,
            Dimensions: new long[] { 4, 5, 7 },
            PixDim: new double[] { 1, 1, 3, 2, 1, 1, 1, 1 },
            ScaleSlope: 1, ScaleIntercept: 0,
            QformCode: 0, SformCode: 2,
            Qform: new double[,] { { 1, 0, 0, 0 }, { 0, 3, 0, 0 }, { 0, 0, 2, 0 }, { 0, 0, 0, 1 } },
            Sform: new double[,] { { 1, 0, 0, 0 }, { 0, 3, 0, 0 }, { 0, 0, 2, 0 }, { 0, 0, 0, 1 } },
            Affine: new double[,] { { 1, 0, 0, 0 }, { 0, 3, 0, 0 }, { 0, 0, 2, 0 }, { 0, 0, 0, 1 } },
            Sum: 7650, Min: 0, Max: 255,
            Probes: new (long[], double)[] { (new long[] { 0, 0, 0 }, 0), (new long[] { 2, 2, 3 }, 0), (new long[] { 3, 4, 6 }, 255), (new long[] { 2, 3, 4 }, 0) }),
        ["reoriented_anat_moved.nii"] = new(
            NiftiVersion.Nifti1, NiftiByteOrder.BigEndian, NiftiDataType.Float32,
            Dimensions: new long[] { 21, 26, 22 },
            PixDim: new double[] { 1, 4, 4, 4, 0, 0, 0, 0 },
            ScaleSlope: 1, ScaleIntercept: 0,
            QformCode: 2, SformCode: 2,
            Qform: new double[,] { { 4, 0, 0, -35.29789733886719 }, { 0, 4, 0, -47.97758483886719 }, { 0, 0, 4, -27.599411010742188 }, { 0, 0, 0, 1 } },
            Sform: new double[,] { { 4, 0, 0, -35.29789733886719 }, { 0, 4, 0, -47.97758483886719 }, { 0, 0, 4, -27.599409103393555 }, { 0, 0, 0, 1 } },
            Affine: new double[,] { { 4, 0, 0, -35.29789733886719 }, { 0, 4, 0, -47.97758483886719 }, { 0, 0, 4, -27.599409103393555 }, { 0, 0, 0, 1 } },
            Sum: 32739769.449157715, Min: 0, Max: 21199.935546875,
            Probes: new (long[], double)[] { (new long[] { 0, 0, 0 }, 0), (new long[] { 10, 13, 11 }, 8117.22021484375), (new long[] { 20, 25, 21 }, 0), (new long[] { 14, 17, 14 }, 9303.0625) }),
        ["row_major.dconn.nii"] = new(
            NiftiVersion.Nifti2, NiftiByteOrder.LittleEndian, NiftiDataType.Float32,
            Dimensions: new long[] { 1, 1, 1, 1, 10, 10 },
            PixDim: new double[] { 0, 1, 1, 1, 1, 1, 1, 1 },
            ScaleSlope: 1, ScaleIntercept: 0,
            QformCode: 0, SformCode: 0,
            Qform: null, // nibabel: qfac (pixdim[0]) should be 1 or -1
            Sform: new double[,] { { 0, 0, 0, 0 }, { 0, 0, 0, 0 }, { 0, 0, 0, 0 }, { 0, 0, 0, 1 } },
            Affine: null, // no xform code: nibabel centres the volume, the standard does not
            Sum: 46.74536418868229, Min: 0.004634224344044924, Max: 0.9961346983909607,
            Probes: new (long[], double)[] { (new long[] { 0, 0, 0, 0, 0, 0 }, 0.1621823012828827), (new long[] { 0, 0, 0, 0, 5, 5 }, 0.48925262689590454), (new long[] { 0, 0, 0, 0, 9, 9 }, 0.794831395149231), (new long[] { 0, 0, 0, 0, 6, 6 }, 0.942050576210022) }),
    };

    /// <summary>
    /// nibabel takes a = √(1 − b² − c² − d²) however small; nifti1_io, and this library, read a² &lt; 1e-7 as a = 0,
    /// a half turn whose b, c, d were rounded to float32. The example4d files have a² = 1.0e-9, where the two
    /// readings differ by up to 1.4e-4 (<see cref="Reads_a_rounded_half_turn_quaternion_as_the_sform_says"/>).
    /// </summary>
    private const double RoundedHalfTurnTolerance = 1.5e-4;

    public static TheoryData<string> Files => new(Expected.Keys);

    [Theory]
    [MemberData(nameof(Files))]
    public void Reads_the_header_fields_nibabel_reports(string file)
    {
        var expected = Expected[file];

        var header = NiftiFile.ReadHeader(NibabelData.PathOf(file));

        Assert.Equal(expected.Version, header.Version);
        Assert.Equal(expected.ByteOrder, header.ByteOrder);
        Assert.Equal(expected.DataType, header.DataType);
        Assert.Equal(expected.Dimensions, header.Dimensions);
        Assert.Equal(expected.PixDim, header.PixDim);
        Assert.Equal(expected.ScaleSlope, header.ScaleSlope);
        Assert.Equal(expected.ScaleIntercept, header.ScaleIntercept);
        Assert.Equal(expected.QformCode, (int)header.QformCode);
        Assert.Equal(expected.SformCode, (int)header.SformCode);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Computes_the_affines_nibabel_reports(string file)
    {
        var expected = Expected[file];

        var header = NiftiFile.ReadHeader(NibabelData.PathOf(file));

        AssertMatrix(expected.Sform, header.GetSformAffine(), tolerance: 0);
        if (expected.Qform is not null)
        {
            AssertMatrix(expected.Qform, header.GetQformAffine(), expected.QformTolerance);
        }

        if (expected.Affine is not null)
        {
            AssertMatrix(expected.Affine, header.GetAffine(), tolerance: 1e-9);
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Reads_the_voxel_values_nibabel_reports(string file)
    {
        var expected = Expected[file];

        var image = NiftiFile.Read(NibabelData.PathOf(file));
        using var values = image.ToTensor(VoxelAxisOrder.Zyx, ScalarType.Float64);

        // Summation order differs from numpy's, hence a relative tolerance on the sum only.
        Assert.Equal(expected.Sum, values.sum().item<double>(), Math.Abs(expected.Sum) * 1e-12);
        Assert.Equal(expected.Min, values.min().item<double>());
        Assert.Equal(expected.Max, values.max().item<double>());
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Places_nibabel_voxels_at_the_documented_tensor_indices(string file)
    {
        var expected = Expected[file];
        var image = NiftiFile.Read(NibabelData.PathOf(file));
        using var zyx = image.ToTensor(VoxelAxisOrder.Zyx, ScalarType.Float64);
        using var xyz = image.ToTensor(VoxelAxisOrder.Xyz, ScalarType.Float64);

        foreach (var (index, value) in expected.Probes)
        {
            var (x, y, z) = (index[0], index.Length > 1 ? index[1] : 0, index.Length > 2 ? index[2] : 0);
            var channel = ChannelOf(index, expected.Dimensions);
            var zyxIndex = channel is null ? new[] { z, y, x } : new[] { channel.Value, z, y, x };
            var xyzIndex = channel is null ? new[] { x, y, z } : new[] { channel.Value, x, y, z };
            Assert.Equal(value, zyx[zyxIndex].item<double>(), Math.Abs(value) * 1e-15);
            Assert.Equal(value, xyz[xyzIndex].item<double>(), Math.Abs(value) * 1e-15);
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Rewrites_each_file_with_the_same_header_and_stored_voxels(string file)
    {
        var original = NiftiFile.Read(NibabelData.PathOf(file));
        using var folder = new TemporaryDirectory();

        foreach (var name in new[] { "copy.nii", "copy.nii.gz" })
        {
            NiftiFile.Write(original, folder.File(name));
            var copy = NiftiFile.Read(folder.File(name));

            Assert.Equal(original.Header, copy.Header);
            Assert.True(original.StoredVoxels.SequenceEqual(copy.StoredVoxels), name);
        }
    }

    [Theory]
    [InlineData("example4d.nii.gz")]
    [InlineData("example_nifti2.nii.gz")]
    public void Reads_a_rounded_half_turn_quaternion_as_the_sform_says(string file)
    {
        var expected = Expected[file];

        var header = NiftiFile.ReadHeader(NibabelData.PathOf(file));

        // The scanner wrote the same orientation twice: the qform agrees with the sform to float32 precision.
        AssertMatrix(expected.Sform, header.GetQformAffine(), tolerance: 1e-6);
    }

    /// <summary>The channel of a NIfTI index: dimensions 4 to 7 flattened with the 4th fastest; null for 3D.</summary>
    private static long? ChannelOf(long[] index, long[] dimensions)
    {
        if (dimensions.Length <= 3)
        {
            return null;
        }

        long channel = 0;
        for (var axis = dimensions.Length - 1; axis >= 3; axis--)
        {
            channel = channel * dimensions[axis] + index[axis];
        }

        return channel;
    }

    private static void AssertMatrix(double[,] expected, double[,] actual, double tolerance)
    {
        for (var row = 0; row < 4; row++)
        {
            for (var column = 0; column < 4; column++)
            {
                Assert.True(Math.Abs(expected[row, column] - actual[row, column]) <= tolerance,
                    $"affine[{row}, {column}]: expected {expected[row, column]:R}, got {actual[row, column]:R}");
            }
        }
    }
}

/// <summary>What nibabel reports for one file.</summary>
internal sealed record NibabelExpectation(
    NiftiVersion Version,
    NiftiByteOrder ByteOrder,
    NiftiDataType DataType,
    long[] Dimensions,
    double[] PixDim,
    double ScaleSlope,
    double ScaleIntercept,
    int QformCode,
    int SformCode,
    double[,]? Qform,
    double[,] Sform,
    double[,]? Affine,
    double Sum,
    double Min,
    double Max,
    (long[] Index, double Value)[] Probes,
    double QformTolerance = 1e-9);
