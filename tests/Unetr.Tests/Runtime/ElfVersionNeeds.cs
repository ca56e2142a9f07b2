using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace Unetr.Tests.Runtime;

/// <summary>One symbol version a shared library requires from one of its dependencies.</summary>
internal sealed record VersionNeed(string File, string Version, ushort Flags)
{
    private const ushort VerFlgWeak = 0x2;

    /// <summary>A weak need does not stop the loader when the dependency lacks the version.</summary>
    public bool IsWeak => (Flags & VerFlgWeak) != 0;
}

/// <summary>Reads the version needs (the SHT_GNU_verneed section) of a little-endian ELF64 file.</summary>
internal static class ElfVersionNeeds
{
    private const uint ShtGnuVerneed = 0x6ffffffe;

    private static ReadOnlySpan<byte> Magic => [0x7f, (byte)'E', (byte)'L', (byte)'F'];

    public static IReadOnlyList<VersionNeed> Read(string path)
    {
        ReadOnlySpan<byte> elf = System.IO.File.ReadAllBytes(path);
        if (elf.Length < 64 || !elf[..4].SequenceEqual(Magic))
            throw new InvalidDataException($"{path} is not an ELF file.");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException($"{path} is not little-endian ELF64.");

        int sectionTable = Offset(U64(elf, 0x28));
        int sectionSize = U16(elf, 0x3a);
        int sectionCount = U16(elf, 0x3c);
        for (int index = 0; index < sectionCount; index++)
        {
            ReadOnlySpan<byte> section = elf.Slice(sectionTable + index * sectionSize, sectionSize);
            if (U32(section, 0x04) == ShtGnuVerneed)
            {
                int link = checked((int)U32(section, 0x28));
                ReadOnlySpan<byte> strings = elf[Offset(U64(elf.Slice(sectionTable + link * sectionSize, sectionSize), 0x18))..];
                return ReadNeeds(elf, Offset(U64(section, 0x18)), U32(section, 0x2c), strings);
            }
        }
        return [];
    }

    private static List<VersionNeed> ReadNeeds(ReadOnlySpan<byte> elf, int first, uint count, ReadOnlySpan<byte> strings)
    {
        var needs = new List<VersionNeed>();
        int verneed = first;
        for (uint need = 0; need < count; need++)
        {
            string file = StringAt(strings, U32(elf, verneed + 0x04));
            int vernaux = verneed + checked((int)U32(elf, verneed + 0x08));
            for (int aux = 0; aux < U16(elf, verneed + 0x02); aux++)
            {
                needs.Add(new VersionNeed(file, StringAt(strings, U32(elf, vernaux + 0x08)), U16(elf, vernaux + 0x04)));
                vernaux += checked((int)U32(elf, vernaux + 0x0c));
            }
            verneed += checked((int)U32(elf, verneed + 0x0c));
        }
        return needs;
    }

    private static string StringAt(ReadOnlySpan<byte> strings, uint offset)
    {
        ReadOnlySpan<byte> start = strings[checked((int)offset)..];
        int length = start.IndexOf((byte)0);
        if (length < 0)
            throw new InvalidDataException($"Unterminated string at string table offset {offset}.");
        return Encoding.ASCII.GetString(start[..length]);
    }

    private static int Offset(ulong value) => checked((int)value);

    private static ushort U16(ReadOnlySpan<byte> bytes, int offset) => BinaryPrimitives.ReadUInt16LittleEndian(bytes[offset..]);

    private static uint U32(ReadOnlySpan<byte> bytes, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(bytes[offset..]);

    private static ulong U64(ReadOnlySpan<byte> bytes, int offset) => BinaryPrimitives.ReadUInt64LittleEndian(bytes[offset..]);
}
