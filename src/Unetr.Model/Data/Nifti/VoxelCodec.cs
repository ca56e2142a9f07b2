using System;
using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Unetr.Model.Data.Nifti;

/// <summary>Converts between stored voxels (little-endian bytes of a <see cref="NiftiDataType"/>) and values.</summary>
internal static class VoxelCodec
{
    /// <summary>Reverses the bytes of every element in place: big-endian ⇄ little-endian.</summary>
    public static void SwapByteOrder(Span<byte> voxels, NiftiDataType type)
    {
        switch (type.BytesPerVoxel())
        {
            case 2:
                var shorts = MemoryMarshal.Cast<byte, short>(voxels);
                BinaryPrimitives.ReverseEndianness(shorts, shorts);
                break;
            case 4:
                var ints = MemoryMarshal.Cast<byte, int>(voxels);
                BinaryPrimitives.ReverseEndianness(ints, ints);
                break;
            case 8:
                var longs = MemoryMarshal.Cast<byte, long>(voxels);
                BinaryPrimitives.ReverseEndianness(longs, longs);
                break;
        }
    }

    /// <summary>Stored value × slope + intercept for every voxel (no scaling when the header has none).</summary>
    /// <exception cref="OverflowException">The scaling turns a finite stored value into one <typeparamref name="T"/> cannot hold.</exception>
    public static void Decode<T>(ReadOnlySpan<byte> voxels, NiftiHeader header, Span<T> values)
        where T : IFloatingPointIeee754<T>
    {
        var (slope, intercept) = Scaling(header);
        for (var index = 0; index < values.Length; index++)
        {
            var stored = Read(voxels, header.DataType, index);
            var value = T.CreateTruncating(stored * slope + intercept);
            if (T.IsInfinity(value) && double.IsFinite(stored))
            {
                throw new OverflowException(string.Format(CultureInfo.InvariantCulture,
                    "scaling overflows {0}: stored value {1} × scl_slope {2} + scl_inter {3} = {4}, beyond ±{5}; the header's scaling is damaged",
                    typeof(T) == typeof(float) ? "float32" : "float64", stored, slope, intercept, stored * slope + intercept,
                    T.CreateTruncating(double.MaxValue)));
            }

            values[index] = value;
        }
    }

    /// <summary>
    /// Stores <paramref name="values"/> (starting at voxel <paramref name="firstIndex"/>) as (value − intercept) ÷
    /// slope in the header's type; integer types round to nearest (ties to even) and reject what does not fit.
    /// </summary>
    public static void Encode(ReadOnlySpan<double> values, NiftiHeader header, Span<byte> voxels, long firstIndex)
    {
        var (slope, intercept) = Scaling(header);
        var type = header.DataType;
        var isInteger = type.IsInteger();
        var (min, max) = isInteger ? type.Range() : (double.NegativeInfinity, double.PositiveInfinity);
        for (var index = 0; index < values.Length; index++)
        {
            var stored = (values[index] - intercept) / slope;
            if (isInteger)
            {
                stored = Math.Round(stored, MidpointRounding.ToEven);
                if (!(stored >= min && stored <= max))
                {
                    throw new ArgumentException(string.Format(CultureInfo.InvariantCulture,
                        "Voxel {0:N0} is {1}, which is {2} as {3} (range {4} to {5}) after scaling by slope {6} and intercept {7}.",
                        firstIndex + index, values[index], double.IsNaN(stored) ? "not representable" : "out of range",
                        type, min, max, slope, intercept));
                }
            }

            Write(voxels, type, index, stored);
        }
    }

    private static (double Slope, double Intercept) Scaling(NiftiHeader header) =>
        header.HasScaling
            ? (header.ScaleSlope, double.IsFinite(header.ScaleIntercept) ? header.ScaleIntercept : 0)
            : (1, 0);

    private static double Read(ReadOnlySpan<byte> voxels, NiftiDataType type, int index) => type switch
    {
        NiftiDataType.UInt8 => voxels[index],
        NiftiDataType.Int8 => (sbyte)voxels[index],
        NiftiDataType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(voxels[(index * 2)..]),
        NiftiDataType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(voxels[(index * 2)..]),
        NiftiDataType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(voxels[(index * 4)..]),
        NiftiDataType.Float32 => BinaryPrimitives.ReadSingleLittleEndian(voxels[(index * 4)..]),
        NiftiDataType.Float64 => BinaryPrimitives.ReadDoubleLittleEndian(voxels[(index * 8)..]),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, NiftiDataTypes.DescribeUnsupported((int)type)),
    };

    private static void Write(Span<byte> voxels, NiftiDataType type, int index, double stored)
    {
        switch (type)
        {
            case NiftiDataType.UInt8:
                voxels[index] = (byte)stored;
                break;
            case NiftiDataType.Int8:
                voxels[index] = (byte)(sbyte)stored;
                break;
            case NiftiDataType.Int16:
                BinaryPrimitives.WriteInt16LittleEndian(voxels[(index * 2)..], (short)stored);
                break;
            case NiftiDataType.UInt16:
                BinaryPrimitives.WriteUInt16LittleEndian(voxels[(index * 2)..], (ushort)stored);
                break;
            case NiftiDataType.Int32:
                BinaryPrimitives.WriteInt32LittleEndian(voxels[(index * 4)..], (int)stored);
                break;
            case NiftiDataType.Float32:
                BinaryPrimitives.WriteSingleLittleEndian(voxels[(index * 4)..], (float)stored);
                break;
            case NiftiDataType.Float64:
                BinaryPrimitives.WriteDoubleLittleEndian(voxels[(index * 8)..], stored);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, NiftiDataTypes.DescribeUnsupported((int)type));
        }
    }
}
