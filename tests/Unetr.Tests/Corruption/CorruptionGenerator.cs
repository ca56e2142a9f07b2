using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;

namespace Unetr.Tests.Corruption;

/// <summary>One corrupted input: the files of its folder (name → bytes), made from a valid original by a seeded change.</summary>
internal sealed record CorruptCase(string Kind, int Seed, string Description, IReadOnlyDictionary<string, byte[]> Files)
{
    public override string ToString() => $"{Kind} seed {Seed}: {Description}";
}

/// <summary>Seeded corruptions of a valid file's bytes: truncations, byte flips in given ranges, overwritten fields.</summary>
internal sealed class CorruptionGenerator(string kind, string fileName, byte[] original, int firstSeed)
{
    private readonly List<CorruptCase> _cases = new();
    private int _nextSeed = firstSeed;

    public IReadOnlyList<CorruptCase> Cases => _cases;

    /// <summary>Truncates at each of <paramref name="fixedOffsets"/> and at <paramref name="randomCount"/> seeded offsets.</summary>
    public CorruptionGenerator Truncations(int randomCount, params int[] fixedOffsets)
    {
        foreach (var offset in fixedOffsets.Where(o => o >= 0 && o < original.Length))
        {
            Add(_ => (original[..offset], $"truncated to {offset} of {original.Length} bytes"));
        }

        for (var i = 0; i < randomCount; i++)
        {
            Add(random =>
            {
                var kept = random.Next(original.Length);
                return (original[..kept], $"truncated to {kept} of {original.Length} bytes");
            });
        }

        return this;
    }

    /// <summary><paramref name="count"/> single-byte flips (a random non-zero XOR mask) at seeded offsets in [<paramref name="start"/>, <paramref name="end"/>).</summary>
    public CorruptionGenerator Flips(string region, int start, int end, int count)
    {
        end = Math.Min(end, original.Length);
        for (var i = 0; i < count; i++)
        {
            Add(random =>
            {
                var bytes = (byte[])original.Clone();
                var offset = random.Next(start, end);
                var mask = (byte)random.Next(1, 256);
                bytes[offset] ^= mask;
                return (bytes, $"byte {offset} ({region}) XOR 0x{mask:x2}");
            });
        }

        return this;
    }

    /// <summary>Writes <paramref name="value"/> at <paramref name="offset"/> (a lying length, a wrong field).</summary>
    public CorruptionGenerator Overwrite(string description, int offset, byte[] value)
    {
        Add(_ =>
        {
            var bytes = (byte[])original.Clone();
            value.CopyTo(bytes, offset);
            return (bytes, description);
        });
        return this;
    }

    /// <summary>Any other change of the bytes.</summary>
    public CorruptionGenerator Edit(string description, Func<byte[], byte[]> edit)
    {
        Add(_ => (edit((byte[])original.Clone()), description));
        return this;
    }

    private void Add(Func<Random, (byte[] Bytes, string Description)> make)
    {
        var seed = _nextSeed++;
        var (bytes, description) = make(new Random(seed));
        _cases.Add(new CorruptCase(kind, seed, description, new Dictionary<string, byte[]> { [fileName] = bytes }));
    }

    public static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(bytes);
        }

        return output.ToArray();
    }

    /// <summary>Offsets of every occurrence of a 4-byte zip signature.</summary>
    public static IEnumerable<int> Signatures(byte[] bytes, uint signature)
    {
        for (var i = 0; i + 4 <= bytes.Length; i++)
        {
            if (BitConverter.ToUInt32(bytes, i) == signature)
            {
                yield return i;
            }
        }
    }
}
