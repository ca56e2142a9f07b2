using System;
using System.Linq;
using Unetr.Model.Data.Nifti;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Nifti;

public sealed class NiftiTensorTests
{
    [Fact]
    public void Zyx_order_puts_x_last_and_z_first()
    {
        var image = Counting(4, 3, 2);

        using var volume = image.ToTensor(VoxelAxisOrder.Zyx);

        Assert.Equal(new long[] { 2, 3, 4 }, volume.shape);
        Assert.Equal(Index(x: 3, y: 1, z: 1, nx: 4, ny: 3), volume[1, 1, 3].item<float>());
    }

    [Fact]
    public void Xyz_order_puts_x_first_as_nibabel_does()
    {
        var image = Counting(4, 3, 2);

        using var volume = image.ToTensor(VoxelAxisOrder.Xyz);

        Assert.Equal(new long[] { 4, 3, 2 }, volume.shape);
        Assert.Equal(Index(x: 3, y: 1, z: 1, nx: 4, ny: 3), volume[3, 1, 1].item<float>());
        Assert.True(volume.is_contiguous());
    }

    [Fact]
    public void Fourth_dimension_becomes_the_leading_channel_axis()
    {
        var image = Counting(4, 3, 2, 5);

        using var zyx = image.ToTensor(VoxelAxisOrder.Zyx);
        using var xyz = image.ToTensor(VoxelAxisOrder.Xyz);

        Assert.Equal(new long[] { 5, 2, 3, 4 }, zyx.shape);
        Assert.Equal(new long[] { 5, 4, 3, 2 }, xyz.shape);
        var expected = Index(x: 2, y: 1, z: 0, nx: 4, ny: 3) + 3 * 4 * 3 * 2;
        Assert.Equal(expected, zyx[3, 0, 1, 2].item<float>());
        Assert.Equal(expected, xyz[3, 2, 1, 0].item<float>());
    }

    [Fact]
    public void Singleton_fourth_dimension_gives_one_channel()
    {
        using var volume = Counting(4, 3, 2, 1).ToTensor();

        Assert.Equal(new long[] { 1, 2, 3, 4 }, volume.shape);
    }

    [Fact]
    public void Dimensions_four_to_seven_flatten_into_channels_fourth_fastest()
    {
        var image = Counting(2, 2, 2, 3, 1, 2);

        using var volume = image.ToTensor();

        Assert.Equal(new long[] { 6, 2, 2, 2 }, volume.shape);
        // t = 1, v = 1 (dimension 6) is channel 1 + 3 * 1 and sits after 4 blocks of 8 voxels.
        Assert.Equal(4 * 8, volume[4, 0, 0, 0].item<float>());
    }

    [Fact]
    public void Images_with_fewer_than_three_dimensions_get_singleton_axes()
    {
        using var zyx = Counting(4, 3).ToTensor(VoxelAxisOrder.Zyx);
        using var xyz = Counting(4).ToTensor(VoxelAxisOrder.Xyz);

        Assert.Equal(new long[] { 1, 3, 4 }, zyx.shape);
        Assert.Equal(new long[] { 4, 1, 1 }, xyz.shape);
    }

    [Theory]
    [InlineData(VoxelAxisOrder.Zyx)]
    [InlineData(VoxelAxisOrder.Xyz)]
    public void From_tensor_inverts_to_tensor(VoxelAxisOrder order)
    {
        var image = Counting(4, 3, 2, 2);
        using var volume = image.ToTensor(order);

        var rebuilt = NiftiImage.FromTensor(image.Header, volume, order);

        Assert.True(image.StoredVoxels.SequenceEqual(rebuilt.StoredVoxels));
    }

    [Fact]
    public void From_tensor_removes_the_scaling_and_rounds_to_the_nearest_integer()
    {
        var header = new NiftiHeader { Dimensions = new long[] { 4 }, DataType = NiftiDataType.Int16, ScaleSlope = 0.5, ScaleIntercept = 10 };
        using var values = tensor(new[] { 10.0, 10.5, 11.2, 9.4 }).reshape(1, 1, 4);

        var image = NiftiImage.FromTensor(header, values);

        using var read = image.ToTensor(dtype: ScalarType.Float64);
        Assert.Equal(new[] { 10.0, 10.5, 11.0, 9.5 }, read.reshape(-1).data<double>().ToArray());
    }

    [Fact]
    public void From_tensor_refuses_values_the_type_cannot_hold()
    {
        var header = new NiftiHeader { Dimensions = new long[] { 3 }, DataType = NiftiDataType.UInt8 };
        using var values = tensor(new[] { 1f, 256f, 2f }).reshape(1, 1, 3);

        var error = Assert.Throws<ArgumentException>(() => NiftiImage.FromTensor(header, values));

        Assert.Contains("Voxel 1 is 256, which is out of range as UInt8 (range 0 to 255)", error.Message);
    }

    [Fact]
    public void From_tensor_refuses_nan_for_an_integer_type()
    {
        var header = new NiftiHeader { Dimensions = new long[] { 2 }, DataType = NiftiDataType.Int32 };
        using var values = tensor(new[] { float.NaN, 1f }).reshape(1, 1, 2);

        var error = Assert.Throws<ArgumentException>(() => NiftiImage.FromTensor(header, values));

        Assert.Contains("Voxel 0 is NaN, which is not representable as Int32", error.Message);
    }

    [Fact]
    public void From_tensor_refuses_a_tensor_of_the_wrong_shape()
    {
        var header = new NiftiHeader { Dimensions = new long[] { 4, 3, 2 } };
        using var values = zeros(4, 3, 2);

        var error = Assert.Throws<ArgumentException>(() => NiftiImage.FromTensor(header, values, VoxelAxisOrder.Zyx));

        Assert.Contains("needs a tensor of shape [2, 3, 4] (Zyx); got [4, 3, 2]", error.Message);
    }

    [Fact]
    public void To_tensor_refuses_a_non_floating_dtype()
    {
        var error = Assert.Throws<ArgumentException>(() => Counting(2).ToTensor(dtype: ScalarType.Int64));

        Assert.Contains("Float32 or Float64; got Int64", error.Message);
    }

    /// <summary>A float32 image whose value at each voxel is its position in the file (x fastest).</summary>
    private static NiftiImage Counting(params long[] dimensions)
    {
        var header = new NiftiHeader { Dimensions = dimensions, DataType = NiftiDataType.Float32 };
        var values = Enumerable.Range(0, (int)header.VoxelCount).Select(index => (double)index).ToArray();
        return new NiftiImage(header, Samples.LittleEndian(NiftiDataType.Float32, values));
    }

    private static float Index(long x, long y, long z, long nx, long ny) => x + nx * (y + ny * z);
}
