using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using Xunit;

namespace Unetr.Tests.Cli;

/// <summary>Reads a PNG's size from its bytes, as the format defines them, without an image library.</summary>
internal static class Png
{
    private static readonly byte[] Signature = { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A };

    /// <summary>Width and height from the IHDR chunk, after checking the signature and that IHDR comes first.</summary>
    public static (int Width, int Height) Size(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 33 && bytes.Take(8).SequenceEqual(Signature), $"{path} does not start with the PNG signature.");
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        Assert.Equal("IEND", System.Text.Encoding.ASCII.GetString(bytes, bytes.Length - 8, 4));
        return (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }
}
