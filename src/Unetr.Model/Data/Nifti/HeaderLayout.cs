using System;
using System.Buffers.Binary;

namespace Unetr.Model.Data.Nifti;

/// <summary>How one header field is stored.</summary>
internal enum FieldKind
{
    UInt8,
    Int16,
    Int32,
    Int64,
    Float32,
    Float64,
}

/// <summary>A header field: where it starts and how each of its elements is stored.</summary>
internal readonly record struct Field(int Offset, FieldKind Kind)
{
    public int Width => Kind switch
    {
        FieldKind.UInt8 => 1,
        FieldKind.Int16 => 2,
        FieldKind.Int32 or FieldKind.Float32 => 4,
        _ => 8,
    };
}

/// <summary>
/// Where NIfTI-1 and NIfTI-2 keep the fields this library uses. The two versions hold the same information at
/// different offsets and widths, so one parser and one serializer work from this table.
/// </summary>
internal sealed record HeaderLayout(
    NiftiVersion Version,
    int Size,
    int MagicOffset,
    byte[] Magic,
    byte[] PairMagic,
    Field Dim,
    Field IntentCode,
    Field DataType,
    Field Bitpix,
    Field PixDim,
    Field VoxOffset,
    Field SclSlope,
    Field SclInter,
    Field XyztUnits,
    int DescripOffset,
    Field QformCode,
    Field SformCode,
    Field Quatern,
    Field Srow)
{
    public const int DescripLength = 80;

    /// <summary>The four bytes after the header that say whether extensions follow.</summary>
    public const int ExtensionFlagLength = 4;

    public static readonly HeaderLayout Nifti1 = new(
        NiftiVersion.Nifti1, 348, 344, "n+1\0"u8.ToArray(), "ni1\0"u8.ToArray(),
        Dim: new(40, FieldKind.Int16), IntentCode: new(68, FieldKind.Int16), DataType: new(70, FieldKind.Int16),
        Bitpix: new(72, FieldKind.Int16), PixDim: new(76, FieldKind.Float32), VoxOffset: new(108, FieldKind.Float32),
        SclSlope: new(112, FieldKind.Float32), SclInter: new(116, FieldKind.Float32), XyztUnits: new(123, FieldKind.UInt8),
        DescripOffset: 148, QformCode: new(252, FieldKind.Int16), SformCode: new(254, FieldKind.Int16),
        Quatern: new(256, FieldKind.Float32), Srow: new(280, FieldKind.Float32));

    // The four bytes after "n+2\0" (\r\n\x1a\n) reveal a file mangled by a text-mode transfer, as in PNG.
    public static readonly HeaderLayout Nifti2 = new(
        NiftiVersion.Nifti2, 540, 4, "n+2\0\r\n\x1a\n"u8.ToArray(), "ni2\0\r\n\x1a\n"u8.ToArray(),
        Dim: new(16, FieldKind.Int64), IntentCode: new(504, FieldKind.Int32), DataType: new(12, FieldKind.Int16),
        Bitpix: new(14, FieldKind.Int16), PixDim: new(104, FieldKind.Float64), VoxOffset: new(168, FieldKind.Int64),
        SclSlope: new(176, FieldKind.Float64), SclInter: new(184, FieldKind.Float64), XyztUnits: new(500, FieldKind.Int32),
        DescripOffset: 240, QformCode: new(344, FieldKind.Int32), SformCode: new(348, FieldKind.Int32),
        Quatern: new(352, FieldKind.Float64), Srow: new(400, FieldKind.Float64));

    /// <summary>"NIfTI-1" or "NIfTI-2", for messages.</summary>
    public string Name => Version == NiftiVersion.Nifti2 ? "NIfTI-2" : "NIfTI-1";

    /// <summary>Where the voxels of a file without extensions start: right after the extension flag.</summary>
    public int MinimumVoxOffset => Size + ExtensionFlagLength;

    public static HeaderLayout For(NiftiVersion version) => version == NiftiVersion.Nifti2 ? Nifti2 : Nifti1;
}

/// <summary>Reads and writes header fields in a given byte order.</summary>
internal readonly ref struct HeaderFields
{
    private readonly Span<byte> bytes;
    private readonly bool bigEndian;

    public HeaderFields(Span<byte> bytes, NiftiByteOrder byteOrder)
    {
        this.bytes = bytes;
        bigEndian = byteOrder == NiftiByteOrder.BigEndian;
    }

    public long Integer(Field field, int index = 0)
    {
        var at = bytes[(field.Offset + index * field.Width)..];
        return field.Kind switch
        {
            FieldKind.UInt8 => at[0],
            FieldKind.Int16 => bigEndian ? BinaryPrimitives.ReadInt16BigEndian(at) : BinaryPrimitives.ReadInt16LittleEndian(at),
            FieldKind.Int32 => bigEndian ? BinaryPrimitives.ReadInt32BigEndian(at) : BinaryPrimitives.ReadInt32LittleEndian(at),
            FieldKind.Int64 => bigEndian ? BinaryPrimitives.ReadInt64BigEndian(at) : BinaryPrimitives.ReadInt64LittleEndian(at),
            _ => throw new ArgumentOutOfRangeException(nameof(field), field.Kind, "not an integer field"),
        };
    }

    public double Real(Field field, int index = 0)
    {
        var at = bytes[(field.Offset + index * field.Width)..];
        return field.Kind switch
        {
            FieldKind.Float32 => bigEndian ? BinaryPrimitives.ReadSingleBigEndian(at) : BinaryPrimitives.ReadSingleLittleEndian(at),
            FieldKind.Float64 => bigEndian ? BinaryPrimitives.ReadDoubleBigEndian(at) : BinaryPrimitives.ReadDoubleLittleEndian(at),
            _ => Integer(field, index),
        };
    }

    public void SetInteger(Field field, long value, int index = 0)
    {
        var at = bytes[(field.Offset + index * field.Width)..];
        switch (field.Kind)
        {
            case FieldKind.UInt8:
                at[0] = checked((byte)value);
                break;
            case FieldKind.Int16 when bigEndian:
                BinaryPrimitives.WriteInt16BigEndian(at, checked((short)value));
                break;
            case FieldKind.Int16:
                BinaryPrimitives.WriteInt16LittleEndian(at, checked((short)value));
                break;
            case FieldKind.Int32 when bigEndian:
                BinaryPrimitives.WriteInt32BigEndian(at, checked((int)value));
                break;
            case FieldKind.Int32:
                BinaryPrimitives.WriteInt32LittleEndian(at, checked((int)value));
                break;
            case FieldKind.Int64 when bigEndian:
                BinaryPrimitives.WriteInt64BigEndian(at, value);
                break;
            case FieldKind.Int64:
                BinaryPrimitives.WriteInt64LittleEndian(at, value);
                break;
            default:
                SetReal(field, value, index);
                break;
        }
    }

    public void SetReal(Field field, double value, int index = 0)
    {
        var at = bytes[(field.Offset + index * field.Width)..];
        switch (field.Kind)
        {
            case FieldKind.Float32 when bigEndian:
                BinaryPrimitives.WriteSingleBigEndian(at, (float)value);
                break;
            case FieldKind.Float32:
                BinaryPrimitives.WriteSingleLittleEndian(at, (float)value);
                break;
            case FieldKind.Float64 when bigEndian:
                BinaryPrimitives.WriteDoubleBigEndian(at, value);
                break;
            case FieldKind.Float64:
                BinaryPrimitives.WriteDoubleLittleEndian(at, value);
                break;
            default:
                SetInteger(field, checked((long)value), index);
                break;
        }
    }
}
