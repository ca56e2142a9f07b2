using System;
using Unetr.Model.Data.Nifti;
using Xunit;

namespace Unetr.Tests.Nifti;

public sealed class NiftiGeometryTests
{
    private static readonly NiftiHeader Plain = new()
    {
        Dimensions = new long[] { 4, 4, 4 },
        PixDim = new[] { 1, 0.5, 2, 3, 0, 0, 0, 0 },
        QuaternD = Math.Sqrt(0.5),
        QOffsetX = 10,
        QOffsetY = 20,
        QOffsetZ = 30,
        SrowX = new[] { 9.0, 0, 0, -1 },
        SrowY = new[] { 0, 8.0, 0, -2 },
        SrowZ = new[] { 0, 0, 7.0, -3 },
    };

    [Fact]
    public void Uses_the_sform_when_sform_code_is_set()
    {
        var header = Plain with { SformCode = NiftiXformCode.Mni152, QformCode = NiftiXformCode.ScannerAnatomical };

        Assert.Equal(new double[,] { { 9, 0, 0, -1 }, { 0, 8, 0, -2 }, { 0, 0, 7, -3 }, { 0, 0, 0, 1 } }, header.GetAffine());
    }

    [Fact]
    public void Uses_the_qform_when_only_qform_code_is_set()
    {
        var header = Plain with { QformCode = NiftiXformCode.ScannerAnatomical };

        // d = sin(45°): a 90° turn about z, so i runs along +y and j along −x; columns scaled by 0.5, 2 and 3.
        AssertClose(new double[,] { { 0, -2, 0, 10 }, { 0.5, 0, 0, 20 }, { 0, 0, 3, 30 }, { 0, 0, 0, 1 } }, header.GetAffine());
    }

    [Fact]
    public void Uses_the_spacing_without_offset_when_no_code_is_set()
    {
        Assert.Equal(new double[,] { { 0.5, 0, 0, 0 }, { 0, 2, 0, 0 }, { 0, 0, 3, 0 }, { 0, 0, 0, 1 } }, Plain.GetAffine());
    }

    [Fact]
    public void Negative_qfac_flips_the_qform_z_axis()
    {
        var header = Plain with { QformCode = NiftiXformCode.ScannerAnatomical, PixDim = new[] { -1, 0.5, 2, 3, 0, 0, 0, 0 } };

        AssertClose(new double[,] { { 0, -2, 0, 10 }, { 0.5, 0, 0, 20 }, { 0, 0, -3, 30 }, { 0, 0, 0, 1 } }, header.GetQformAffine());
    }

    [Fact]
    public void Zero_qfac_counts_as_positive_as_the_standard_says()
    {
        var header = Plain with { QformCode = NiftiXformCode.ScannerAnatomical, PixDim = new[] { 0, 0.5, 2, 3, 0, 0, 0, 0 } };

        Assert.Equal(3, header.GetQformAffine()[2, 2], 12);
    }

    [Fact]
    public void Treats_a_quaternion_just_outside_the_unit_ball_as_a_half_turn()
    {
        // b² + c² + d² slightly above 1 (float rounding in some writers): a = 0 and (b, c, d) renormalised.
        var header = Plain with { QuaternB = 1.0000001, QuaternD = 0, PixDim = new[] { 1.0, 1, 1, 1, 0, 0, 0, 0 } };

        AssertClose(new double[,] { { 1, 0, 0, 10 }, { 0, -1, 0, 20 }, { 0, 0, -1, 30 }, { 0, 0, 0, 1 } }, header.GetQformAffine());
    }

    [Fact]
    public void Spacing_is_pixdim_one_to_three()
    {
        Assert.Equal(new[] { 0.5, 2, 3 }, Plain.Spacing);
    }

    [Theory]
    [InlineData(0.0, false)]
    [InlineData(double.NaN, false)]
    [InlineData(double.PositiveInfinity, false)]
    [InlineData(1.0, true)]
    [InlineData(-0.5, true)]
    public void Scales_only_with_a_finite_non_zero_slope(double slope, bool scales)
    {
        var header = new NiftiHeader { Dimensions = new long[] { 2 }, DataType = NiftiDataType.Int16, ScaleSlope = slope, ScaleIntercept = 100 };
        var image = Samples.Image(header);

        using var values = image.ToTensor(dtype: TorchSharp.torch.ScalarType.Float64);

        Assert.Equal(scales, header.HasScaling);
        Assert.Equal(scales ? short.MinValue * slope + 100 : short.MinValue, values[0, 0, 0].item<double>());
    }

    [Fact]
    public void Label_map_header_keeps_the_grid_and_drops_the_channel_axis()
    {
        var image = Samples.Header(NiftiDataType.Float32, NiftiVersion.Nifti2, NiftiByteOrder.BigEndian);

        var labels = image.ForLabelMap();

        Assert.Equal(new long[] { 5, 4, 3 }, labels.Dimensions);
        Assert.Equal(NiftiDataType.UInt8, labels.DataType);
        Assert.Equal((1.0, 0.0), (labels.ScaleSlope, labels.ScaleIntercept));
        Assert.Equal(NiftiHeader.LabelIntent, labels.IntentCode);
        Assert.Equal(image.GetAffine(), labels.GetAffine());
        Assert.Equal(image.GetQformAffine(), labels.GetQformAffine());
        Assert.Equal((image.Version, image.ByteOrder, image.PixDim), (labels.Version, labels.ByteOrder, labels.PixDim));
    }

    [Theory]
    [InlineData(new long[0])]
    [InlineData(new long[] { 1, 1, 1, 1, 1, 1, 1, 1 })]
    [InlineData(new long[] { 4, 0, 4 })]
    [InlineData(new long[] { 4, -4, 4 })]
    public void Header_refuses_impossible_dimensions(long[] dimensions)
    {
        var error = Assert.Throws<ArgumentException>(() => new NiftiHeader { Dimensions = dimensions });

        Assert.Contains("1 to 7 dimensions, each at least 1", error.Message);
    }

    [Fact]
    public void Header_refuses_a_pixdim_without_eight_entries()
    {
        var error = Assert.Throws<ArgumentException>(() => Plain with { PixDim = new[] { 1.0, 1, 1 } });

        Assert.Contains("PixDim needs exactly 8 entries; got 3", error.Message);
    }

    [Fact]
    public void Headers_with_equal_fields_are_equal_and_any_change_is_not()
    {
        var copy = Plain with { SrowX = new[] { 9.0, 0, 0, -1 } };

        Assert.Equal(Plain, copy);
        Assert.Equal(Plain.GetHashCode(), copy.GetHashCode());
        Assert.NotEqual(Plain, Plain with { SrowX = new[] { 9.0, 0, 0, -1.5 } });
        Assert.NotEqual(Plain, Plain with { Dimensions = new long[] { 4, 4, 5 } });
        Assert.NotEqual(Plain, Plain with { Description = "x" });
    }

    private static void AssertClose(double[,] expected, double[,] actual)
    {
        for (var row = 0; row < 4; row++)
        {
            for (var column = 0; column < 4; column++)
            {
                Assert.True(Math.Abs(expected[row, column] - actual[row, column]) < 1e-6,
                    $"[{row}, {column}]: expected {expected[row, column]}, got {actual[row, column]}");
            }
        }
    }
}
