using System.Linq;

namespace Unetr.Model.Data.Nifti;

/// <summary>The voxel types this library reads and writes; values are the NIfTI <c>datatype</c> codes.</summary>
public enum NiftiDataType
{
    /// <summary>Unsigned 8-bit integer (<c>DT_UINT8</c>).</summary>
    UInt8 = 2,

    /// <summary>Signed 16-bit integer (<c>DT_INT16</c>), the usual CT and MR type.</summary>
    Int16 = 4,

    /// <summary>Signed 32-bit integer (<c>DT_INT32</c>).</summary>
    Int32 = 8,

    /// <summary>32-bit IEEE float (<c>DT_FLOAT32</c>).</summary>
    Float32 = 16,

    /// <summary>64-bit IEEE float (<c>DT_FLOAT64</c>).</summary>
    Float64 = 64,

    /// <summary>Signed 8-bit integer (<c>DT_INT8</c>).</summary>
    Int8 = 256,

    /// <summary>Unsigned 16-bit integer (<c>DT_UINT16</c>).</summary>
    UInt16 = 512,
}

/// <summary>Sizes, ranges and names of <see cref="NiftiDataType"/> values.</summary>
internal static class NiftiDataTypes
{
    private static readonly NiftiDataType[] Supported =
    {
        NiftiDataType.UInt8, NiftiDataType.Int8, NiftiDataType.Int16, NiftiDataType.UInt16,
        NiftiDataType.Int32, NiftiDataType.Float32, NiftiDataType.Float64,
    };

    public static bool IsSupported(int code) => Supported.Contains((NiftiDataType)code);

    public static int BytesPerVoxel(this NiftiDataType type) => type switch
    {
        NiftiDataType.UInt8 or NiftiDataType.Int8 => 1,
        NiftiDataType.Int16 or NiftiDataType.UInt16 => 2,
        NiftiDataType.Int32 or NiftiDataType.Float32 => 4,
        NiftiDataType.Float64 => 8,
        _ => throw Unsupported(type),
    };

    public static bool IsInteger(this NiftiDataType type) => type is not (NiftiDataType.Float32 or NiftiDataType.Float64);

    /// <summary>The smallest and largest raw value an integer type holds.</summary>
    public static (double Min, double Max) Range(this NiftiDataType type) => type switch
    {
        NiftiDataType.UInt8 => (byte.MinValue, byte.MaxValue),
        NiftiDataType.Int8 => (sbyte.MinValue, sbyte.MaxValue),
        NiftiDataType.Int16 => (short.MinValue, short.MaxValue),
        NiftiDataType.UInt16 => (ushort.MinValue, ushort.MaxValue),
        NiftiDataType.Int32 => (int.MinValue, int.MaxValue),
        _ => throw Unsupported(type),
    };

    /// <summary>"unsupported datatype 128 (RGB24); supported: …", the sentence both reader and API use.</summary>
    public static string DescribeUnsupported(int code) =>
        $"unsupported datatype {code} ({NameOf(code)}); supported: "
        + string.Join(", ", Supported.Select(type => $"{NameOf((int)type)} ({(int)type})"));

    /// <summary>The standard's name for a datatype code (nifti1.h <c>DT_*</c>), or "unknown".</summary>
    public static string NameOf(int code) => code switch
    {
        0 => "UNKNOWN",
        1 => "BINARY",
        2 => "UINT8",
        4 => "INT16",
        8 => "INT32",
        16 => "FLOAT32",
        32 => "COMPLEX64",
        64 => "FLOAT64",
        128 => "RGB24",
        255 => "ALL",
        256 => "INT8",
        512 => "UINT16",
        768 => "UINT32",
        1024 => "INT64",
        1280 => "UINT64",
        1536 => "FLOAT128",
        1792 => "COMPLEX128",
        2048 => "COMPLEX256",
        2304 => "RGBA32",
        _ => "not a NIfTI datatype",
    };

    private static System.ArgumentOutOfRangeException Unsupported(NiftiDataType type) =>
        new(nameof(type), type, DescribeUnsupported((int)type));
}
