using System;
using System.Buffers.Binary;
using System.Globalization;

namespace Unetr.Model.Data.Nifti;

/// <summary>
/// The parts of a gzip file (RFC 1952) that <see cref="System.IO.Compression.GZipStream"/> does not check for us:
/// the fixed header, and a trailer that matches the data and ends the file.
/// </summary>
internal static class GzipMember
{
    /// <summary>The fixed part of a gzip header: ID1 ID2 CM FLG MTIME(4) XFL OS.</summary>
    public const int FixedHeaderSize = 10;

    /// <summary>CRC-32 then ISIZE, little-endian.</summary>
    public const int TrailerSize = 8;

    private const byte Deflate = 8;

    private const byte ReservedFlags = 0xe0;

    private static readonly uint[] Table = BuildTable();

    /// <summary>Why <paramref name="header"/> (the file's first bytes) is not a gzip header, or <c>null</c> when it may be one.</summary>
    public static string? HeaderProblem(ReadOnlySpan<byte> header)
    {
        if (header.Length < FixedHeaderSize)
        {
            return string.Create(CultureInfo.InvariantCulture, $"gzip header corrupt: {header.Length} bytes, a gzip header needs at least {FixedHeaderSize}");
        }

        if (header[2] != Deflate)
        {
            return string.Create(CultureInfo.InvariantCulture, $"gzip header corrupt: compression method {header[2]} (gzip has only deflate, 8)");
        }

        return (header[3] & ReservedFlags) != 0
            ? string.Create(CultureInfo.InvariantCulture, $"gzip header corrupt: flags 0x{header[3]:x2} set reserved bits (0x{ReservedFlags:x2} must be 0)")
            : null;
    }

    /// <summary>
    /// Why the file's last eight bytes <paramref name="trailer"/> are not the trailer of data with this CRC-32 and
    /// length, or <c>null</c> when they are. A stream cut short, or followed by other bytes, fails here.
    /// </summary>
    public static string? TrailerProblem(ReadOnlySpan<byte> trailer, uint crc, long length)
    {
        var (storedCrc, storedSize) = trailer.Length == TrailerSize
            ? (BinaryPrimitives.ReadUInt32LittleEndian(trailer), BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]))
            : (0u, 0u);
        return trailer.Length == TrailerSize && storedCrc == crc && storedSize == unchecked((uint)length)
            ? null
            : string.Create(CultureInfo.InvariantCulture,
                $"gzip trailer does not match the data: the file ends in CRC-32 {storedCrc:x8} and size {storedSize}, the {length:N0} decompressed bytes have CRC-32 {crc:x8} (the gzip stream is cut short, or other bytes follow it)");
    }

    /// <summary>Continues the CRC-32 <paramref name="crc"/> (0 to start) over <paramref name="bytes"/>.</summary>
    public static uint Crc32(uint crc, ReadOnlySpan<byte> bytes)
    {
        crc = ~crc;
        foreach (var value in bytes)
        {
            crc = Table[(crc ^ value) & 0xff] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint index = 0; index < table.Length; index++)
        {
            var entry = index;
            for (var bit = 0; bit < 8; bit++)
            {
                entry = (entry & 1) != 0 ? 0xedb88320 ^ (entry >> 1) : entry >> 1;
            }

            table[index] = entry;
        }

        return table;
    }
}
