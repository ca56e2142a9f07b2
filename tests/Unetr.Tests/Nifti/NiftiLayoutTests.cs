using System;
using System.Buffers.Binary;
using System.IO;
using System.Text;
using Unetr.Model.Data.Nifti;
using Xunit;

namespace Unetr.Tests.Nifti;

/// <summary>
/// Written bytes checked against the offsets of nifti1.h and nifti2.h, so that a mistake made identically by the
/// writer and the reader cannot hide behind a round trip.
/// </summary>
public sealed class NiftiLayoutTests
{
    [Theory]
    [InlineData(NiftiByteOrder.LittleEndian)]
    [InlineData(NiftiByteOrder.BigEndian)]
    public void Writes_nifti1_fields_at_the_standard_offsets(NiftiByteOrder byteOrder)
    {
        var bytes = WriteSample(NiftiVersion.Nifti1, byteOrder);
        var big = byteOrder == NiftiByteOrder.BigEndian;

        Assert.Equal(348, Int32(bytes, 0, big));
        Assert.Equal("n+1\0", Encoding.ASCII.GetString(bytes, 344, 4));
        Assert.Equal(new short[] { 4, 5, 4, 3, 2, 1, 1, 1 }, Int16s(bytes, 40, 8, big));
        Assert.Equal(4, Int16(bytes, 70, big));
        Assert.Equal(16, Int16(bytes, 72, big));
        Assert.Equal(new[] { -1f, 0.75f, 1.25f, 2.5f }, Floats(bytes, 76, 4, big));
        Assert.Equal(new[] { 352f, 0.5f, -3f }, Floats(bytes, 108, 3, big));
        Assert.Equal(10, bytes[123]);
        Assert.Equal(new short[] { 1, 2 }, Int16s(bytes, 252, 2, big));
        Assert.Equal(new[] { 0.125f, -0.25f, 0.375f, 10.5f, -20.25f, 30.125f }, Floats(bytes, 256, 6, big));
        Assert.Equal(new[] { 0.75f, 0.0625f, 0f, -12.5f }, Floats(bytes, 280, 4, big));
        Assert.Equal(new byte[4], bytes[348..352]);
        Assert.Equal(short.MinValue, Int16(bytes, 352, big));
        Assert.Equal(short.MaxValue, Int16(bytes, 354, big));
        Assert.Equal(352 + 5 * 4 * 3 * 2 * 2, bytes.Length);
    }

    [Theory]
    [InlineData(NiftiByteOrder.LittleEndian)]
    [InlineData(NiftiByteOrder.BigEndian)]
    public void Writes_nifti2_fields_at_the_standard_offsets(NiftiByteOrder byteOrder)
    {
        var bytes = WriteSample(NiftiVersion.Nifti2, byteOrder);
        var big = byteOrder == NiftiByteOrder.BigEndian;

        Assert.Equal(540, Int32(bytes, 0, big));
        Assert.Equal("n+2\0\r\n\x1a\n", Encoding.ASCII.GetString(bytes, 4, 8));
        Assert.Equal(4, Int16(bytes, 12, big));
        Assert.Equal(16, Int16(bytes, 14, big));
        Assert.Equal(new long[] { 4, 5, 4, 3, 2, 1, 1, 1 }, Int64s(bytes, 16, 8, big));
        Assert.Equal(new[] { -1, 0.75, 1.25, 2.5 }, Doubles(bytes, 104, 4, big));
        Assert.Equal(544, Int64s(bytes, 168, 1, big)[0]);
        Assert.Equal(new[] { 0.5, -3 }, Doubles(bytes, 176, 2, big));
        Assert.Equal(1, Int32(bytes, 344, big));
        Assert.Equal(2, Int32(bytes, 348, big));
        Assert.Equal(new[] { 0.125, -0.25, 0.375, 10.5, -20.25, 30.125 }, Doubles(bytes, 352, 6, big));
        Assert.Equal(new[] { 0.03125, 0, 2.5, 100 }, Doubles(bytes, 464, 4, big));
        Assert.Equal(10, Int32(bytes, 500, big));
        Assert.Equal(2, Int32(bytes, 504, big));
        Assert.Equal(new byte[4], bytes[540..544]);
        Assert.Equal(short.MinValue, Int16(bytes, 544, big));
        Assert.Equal(544 + 5 * 4 * 3 * 2 * 2, bytes.Length);
    }

    private static byte[] WriteSample(NiftiVersion version, NiftiByteOrder byteOrder)
    {
        using var folder = new TemporaryDirectory();
        var path = folder.File("layout.nii");
        NiftiFile.Write(Samples.Image(Samples.Header(NiftiDataType.Int16, version, byteOrder)), path);
        return File.ReadAllBytes(path);
    }

    private static short Int16(byte[] bytes, int offset, bool big) =>
        big ? BinaryPrimitives.ReadInt16BigEndian(bytes.AsSpan(offset)) : BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(offset));

    private static int Int32(byte[] bytes, int offset, bool big) =>
        big ? BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(offset)) : BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset));

    private static short[] Int16s(byte[] bytes, int offset, int count, bool big) =>
        Read(count, index => Int16(bytes, offset + 2 * index, big));

    private static long[] Int64s(byte[] bytes, int offset, int count, bool big) =>
        Read(count, index => big
            ? BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(offset + 8 * index))
            : BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(offset + 8 * index)));

    private static float[] Floats(byte[] bytes, int offset, int count, bool big) =>
        Read(count, index => big
            ? BinaryPrimitives.ReadSingleBigEndian(bytes.AsSpan(offset + 4 * index))
            : BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(offset + 4 * index)));

    private static double[] Doubles(byte[] bytes, int offset, int count, bool big) =>
        Read(count, index => big
            ? BinaryPrimitives.ReadDoubleBigEndian(bytes.AsSpan(offset + 8 * index))
            : BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(offset + 8 * index)));

    private static T[] Read<T>(int count, Func<int, T> element)
    {
        var values = new T[count];
        for (var index = 0; index < count; index++)
        {
            values[index] = element(index);
        }

        return values;
    }
}
