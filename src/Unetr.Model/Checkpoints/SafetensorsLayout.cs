using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace Unetr.Model.Checkpoints;

/// <summary>
/// Checks a safetensors file's header against its size before any tensor is read: the header length fits the file,
/// the header is a JSON object, each tensor's dtype is known and its shape's bytes equal its byte range, and the
/// ranges tile the data section exactly, without overlap or gap, as the format's specification demands. A reader that
/// trusted the offsets alone would load a lying file as shifted or shared weights.
/// </summary>
internal static class SafetensorsLayout
{
    private const string Metadata = "__metadata__";

    private static readonly Dictionary<string, int> DtypeSizes = new(StringComparer.Ordinal)
    {
        ["BOOL"] = 1, ["U8"] = 1, ["I8"] = 1, ["F8_E5M2"] = 1, ["F8_E4M3"] = 1,
        ["I16"] = 2, ["U16"] = 2, ["F16"] = 2, ["BF16"] = 2,
        ["I32"] = 4, ["U32"] = 4, ["F32"] = 4,
        ["I64"] = 8, ["U64"] = 8, ["F64"] = 8,
    };

    private sealed record Range(string Name, long Begin, long End);

    /// <summary>Checks the layout of the safetensors file at the seekable stream's position and returns the stream there.</summary>
    /// <exception cref="InvalidDataException">The layout is inconsistent; the message gives the reason without the file's name.</exception>
    public static void Verify(Stream stream)
    {
        var start = stream.Position;
        Span<byte> prefix = stackalloc byte[8];
        var got = stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
        if (got < prefix.Length)
        {
            throw new InvalidDataException($"it has {got} bytes, fewer than a safetensors header needs.");
        }

        // Checked against the file first, so that another kind of file (whose first bytes make a huge "length") fails
        // with a reason instead of a huge allocation.
        var available = stream.Length - start - 8;
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > (ulong)available)
        {
            throw new InvalidDataException($"its first 8 bytes give a header length of {headerLength:N0} bytes, but only {available:N0} follow.");
        }

        var header = new byte[headerLength];
        stream.ReadExactly(header);
        if (header.Length == 0 || header[0] != (byte)'{')
        {
            throw new InvalidDataException("its header does not start with '{'.");
        }

        var ranges = ReadRanges(header);
        CheckTiling(ranges, available - (long)headerLength);
        stream.Position = start;
    }

    private static List<Range> ReadRanges(byte[] header)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException invalid)
        {
            throw new InvalidDataException($"its header is not valid JSON, or its declared length is wrong: {invalid.Message}", invalid);
        }

        using (document)
        {
            var ranges = new List<Range>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in document.RootElement.EnumerateObject())
            {
                if (!names.Add(entry.Name))
                {
                    throw new InvalidDataException($"its header names '{entry.Name}' twice.");
                }

                if (entry.Name != Metadata)
                {
                    ranges.Add(ReadRange(entry));
                }
            }

            return ranges;
        }
    }

    private static Range ReadRange(JsonProperty entry)
    {
        var name = entry.Name;
        if (entry.Value.ValueKind != JsonValueKind.Object
            || !entry.Value.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != JsonValueKind.String
            || !entry.Value.TryGetProperty("shape", out var shape) || shape.ValueKind != JsonValueKind.Array
            || !entry.Value.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
        {
            throw new InvalidDataException($"its header entry '{name}' lacks a dtype, a shape or a pair of data_offsets.");
        }

        if (!DtypeSizes.TryGetValue(dtype.GetString()!, out var size))
        {
            throw new InvalidDataException($"its tensor '{name}' has the unknown dtype '{dtype.GetString()}'; expected one of {string.Join(", ", DtypeSizes.Keys)}.");
        }

        var begin = NonNegative(offsets[0], name, "data_offsets");
        var end = NonNegative(offsets[1], name, "data_offsets");
        long bytes = size;
        try
        {
            foreach (var dimension in shape.EnumerateArray())
            {
                bytes = checked(bytes * NonNegative(dimension, name, "shape"));
            }
        }
        catch (OverflowException overflow)
        {
            throw new InvalidDataException($"its tensor '{name}' has a shape [{string.Join(", ", shape.EnumerateArray())}] too large to address.", overflow);
        }

        if (end < begin || end - begin != bytes)
        {
            throw new InvalidDataException(
                $"its tensor '{name}' ({dtype.GetString()} [{string.Join(", ", shape.EnumerateArray())}]) needs {bytes:N0} bytes, but its data_offsets [{begin}, {end}] span {end - begin:N0}.");
        }

        return new Range(name, begin, end);
    }

    private static long NonNegative(JsonElement value, string name, string field) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) && number >= 0
            ? number
            : throw new InvalidDataException($"its tensor '{name}' has {field} holding {value.GetRawText()}, not a non-negative integer.");

    // The specification forbids holes as well as overlaps ("the byte buffer needs to be entirely indexed"), so bytes
    // that no tensor claims are as suspect as bytes two tensors claim.
    private static void CheckTiling(List<Range> ranges, long dataLength)
    {
        var next = 0L;
        Range? previous = null;
        foreach (var range in ranges.OrderBy(range => range.Begin).ThenBy(range => range.End))
        {
            if (range.Begin < next)
            {
                throw new InvalidDataException($"its tensors '{previous!.Name}' and '{range.Name}' claim overlapping bytes ([{previous.Begin}, {previous.End}] and [{range.Begin}, {range.End}]).");
            }

            if (range.Begin > next)
            {
                throw new InvalidDataException($"no tensor claims the data bytes [{next}, {range.Begin}] before '{range.Name}'.");
            }

            next = range.End;
            previous = range;
        }

        if (next != dataLength)
        {
            throw new InvalidDataException(next > dataLength
                ? $"its tensor '{previous!.Name}' ends at data byte {next:N0}, but the data section has {dataLength:N0} bytes: the file is truncated or its header lies."
                : $"its tensors cover {next:N0} bytes of a {dataLength:N0}-byte data section: the header's length or offsets are wrong, or bytes were appended.");
        }
    }
}
