using System;
using System.Buffers.Binary;
using System.Linq;
using Unetr.Model.Data.Nifti;

namespace Unetr.Tests.Nifti;

/// <summary>Images with known stored values, built byte by byte here rather than by the code under test.</summary>
internal static class Samples
{
    /// <summary>x, y, z, t: all different so that a swapped axis changes the result.</summary>
    public static readonly long[] Dimensions = { 5, 4, 3, 2 };

    /// <summary>A header that uses every field the library keeps, with values float32 holds exactly.</summary>
    public static NiftiHeader Header(
        NiftiDataType type, NiftiVersion version = NiftiVersion.Nifti1, NiftiByteOrder byteOrder = NiftiByteOrder.LittleEndian) =>
        new()
        {
            Version = version,
            ByteOrder = byteOrder,
            Dimensions = Dimensions,
            DataType = type,
            PixDim = new[] { -1, 0.75, 1.25, 2.5, 3, 1, 1, 1 },
            ScaleSlope = 0.5,
            ScaleIntercept = -3,
            QformCode = NiftiXformCode.ScannerAnatomical,
            QuaternB = 0.125,
            QuaternC = -0.25,
            QuaternD = 0.375,
            QOffsetX = 10.5,
            QOffsetY = -20.25,
            QOffsetZ = 30.125,
            SformCode = NiftiXformCode.AlignedAnatomical,
            SrowX = new[] { 0.75, 0.0625, 0, -12.5 },
            SrowY = new[] { 0, 1.25, -0.125, 7.75 },
            SrowZ = new[] { 0.03125, 0, 2.5, 100 },
            XyztUnits = 10,
            IntentCode = 2,
            Description = "Unetr sample",
        };

    /// <summary>Stored values spanning the type: its extremes first, then a spread in between.</summary>
    public static double[] StoredValues(NiftiDataType type, long count)
    {
        var (min, max) = type switch
        {
            NiftiDataType.UInt8 => (byte.MinValue, byte.MaxValue),
            NiftiDataType.Int8 => (sbyte.MinValue, sbyte.MaxValue),
            NiftiDataType.Int16 => (short.MinValue, short.MaxValue),
            NiftiDataType.UInt16 => (ushort.MinValue, ushort.MaxValue),
            NiftiDataType.Int32 => (int.MinValue, int.MaxValue),
            NiftiDataType.Float32 => (float.MinValue, float.MaxValue),
            _ => (double.MinValue, double.MaxValue),
        };
        var isFloat = type is NiftiDataType.Float32 or NiftiDataType.Float64;
        return Enumerable.Range(0, (int)count).Select(index => index switch
        {
            0 => min,
            1 => max,
            _ when isFloat => (index * 37 % 101 - 50) * 1234.5678f,
            _ => Math.Round(min + (max - min) * (index * 37 % 101) / 100.0),
        }).ToArray();
    }

    /// <summary>Little-endian bytes of <paramref name="values"/> in <paramref name="type"/>.</summary>
    public static byte[] LittleEndian(NiftiDataType type, double[] values)
    {
        var size = type switch
        {
            NiftiDataType.UInt8 or NiftiDataType.Int8 => 1,
            NiftiDataType.Int16 or NiftiDataType.UInt16 => 2,
            NiftiDataType.Int32 or NiftiDataType.Float32 => 4,
            _ => 8,
        };
        var bytes = new byte[values.Length * size];
        for (var index = 0; index < values.Length; index++)
        {
            var at = bytes.AsSpan(index * size);
            switch (type)
            {
                case NiftiDataType.UInt8: at[0] = (byte)values[index]; break;
                case NiftiDataType.Int8: at[0] = (byte)(sbyte)values[index]; break;
                case NiftiDataType.Int16: BinaryPrimitives.WriteInt16LittleEndian(at, (short)values[index]); break;
                case NiftiDataType.UInt16: BinaryPrimitives.WriteUInt16LittleEndian(at, (ushort)values[index]); break;
                case NiftiDataType.Int32: BinaryPrimitives.WriteInt32LittleEndian(at, (int)values[index]); break;
                case NiftiDataType.Float32: BinaryPrimitives.WriteSingleLittleEndian(at, (float)values[index]); break;
                default: BinaryPrimitives.WriteDoubleLittleEndian(at, values[index]); break;
            }
        }

        return bytes;
    }

    public static NiftiImage Image(NiftiHeader header) =>
        new(header, LittleEndian(header.DataType, StoredValues(header.DataType, header.VoxelCount)));
}
