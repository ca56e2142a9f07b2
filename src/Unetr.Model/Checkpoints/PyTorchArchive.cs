using System;
using System.Buffers;
using System.IO;
using System.IO.Compression;

namespace Unetr.Model.Checkpoints;

/// <summary>
/// Checks the zip container of a PyTorch file before its pickle is read: ZipArchive, which the unpickler reads
/// through, checks neither an entry's CRC-32 nor its length, so one flipped byte in a tensor's entry would load as a
/// changed weight. Every entry is read in full against the CRC-32 and size of the central directory.
/// </summary>
internal static class PyTorchArchive
{
    private static readonly uint[] CrcTable = BuildCrcTable();

    /// <summary>Reads every entry of the zip archive at the stream's position and returns the stream there.</summary>
    /// <exception cref="InvalidDataException">
    /// The stream is empty, is not a zip archive, is truncated, or an entry's content disagrees with the CRC-32 or size
    /// the archive records for it; the message gives the reason (and the entry), without the file's name.
    /// </exception>
    public static void Verify(Stream stream)
    {
        var start = stream.Position;
        Span<byte> signature = stackalloc byte[4];
        var got = stream.ReadAtLeast(signature, signature.Length, throwOnEndOfStream: false);
        stream.Position = start;
        if (got == 0)
        {
            throw new InvalidDataException("the file is empty.");
        }

        if (got < signature.Length || !signature.SequenceEqual("PK\u0003\u0004"u8))
        {
            // Pickle protocol 2 starts with 0x80 0x02: torch.save before PyTorch 1.6 or with _use_new_zipfile_serialization=False.
            throw new InvalidDataException(signature[0] == 0x80
                ? "it is a bare pickle, PyTorch's format before 1.6, which this reader does not support; save it again with torch.save in PyTorch 1.6 or later."
                : $"it is not a zip archive, as PyTorch files since 1.6 are (its first bytes are {Convert.ToHexString(signature[..got])}).");
        }

        ZipArchive archive;
        try
        {
            archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException unreadable)
        {
            throw new InvalidDataException($"its zip directory cannot be read, so the file is truncated or damaged: {unreadable.Message}", unreadable);
        }

        using (archive)
        {
            foreach (var entry in archive.Entries)
            {
                VerifyEntry(entry);
            }
        }

        stream.Position = start;
    }

    private static void VerifyEntry(ZipArchiveEntry entry)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        var (crc, length) = (0xFFFFFFFFu, 0L);
        try
        {
            using var content = entry.Open();
            int read;
            while ((read = content.Read(buffer, 0, buffer.Length)) > 0)
            {
                crc = UpdateCrc(crc, buffer.AsSpan(0, read));
                length += read;
            }
        }
        catch (Exception unreadable) when (unreadable is InvalidDataException or IOException or NotSupportedException)
        {
            throw new InvalidDataException($"its entry '{entry.FullName}' cannot be read, so the file is truncated or damaged: {unreadable.Message}", unreadable);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        crc = ~crc;
        if (length != entry.Length)
        {
            throw new InvalidDataException($"its entry '{entry.FullName}' has {length:N0} bytes where the zip directory records {entry.Length:N0}: the file is truncated or damaged.");
        }

        if (crc != entry.Crc32)
        {
            throw new InvalidDataException($"its entry '{entry.FullName}' fails its CRC-32 check (recorded {entry.Crc32:X8}, content {crc:X8}): the file is corrupt.");
        }
    }

    // The zip CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320); System.IO.Hashing would bring in a package for 20 lines.
    private static uint UpdateCrc(uint crc, ReadOnlySpan<byte> bytes)
    {
        foreach (var value in bytes)
        {
            crc = CrcTable[(crc ^ value) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (var n = 0u; n < table.Length; n++)
        {
            var c = n;
            for (var bit = 0; bit < 8; bit++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
