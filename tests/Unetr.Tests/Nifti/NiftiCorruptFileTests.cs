using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using Unetr.Model.Data.Nifti;
using Xunit;

namespace Unetr.Tests.Nifti;

/// <summary>Every way a file can be unreadable gives a <see cref="NiftiFormatException"/> naming the file and the problem.</summary>
public sealed class NiftiCorruptFileTests : IDisposable
{
    private readonly TemporaryDirectory folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Rejects_a_header_cut_short()
    {
        var path = Corrupt(bytes => bytes[..200]);

        AssertProblem(path, "truncated header: file has 200 bytes, a NIfTI-1 header needs 348");
    }

    [Fact]
    public void Rejects_a_file_too_short_to_hold_sizeof_hdr()
    {
        var path = Corrupt(bytes => bytes[..2]);

        AssertProblem(path, "truncated header: file has 2 bytes, a NIfTI header needs at least 348");
    }

    [Fact]
    public void Rejects_a_nifti2_header_cut_short()
    {
        var path = Corrupt(bytes => bytes[..500], NiftiVersion.Nifti2);

        AssertProblem(path, "truncated header: file has 500 bytes, a NIfTI-2 header needs 540");
    }

    [Fact]
    public void Rejects_voxels_cut_short_and_says_how_many_bytes_are_missing()
    {
        var header = new NiftiHeader { Dimensions = new long[] { 64, 64, 64 }, DataType = NiftiDataType.Float32 };
        var path = folder.File("big.nii");
        NiftiFile.Write(Samples.Image(header), path);
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..4096]);

        AssertProblem(path, "truncated: header says 1,048,576 bytes of voxels at offset 352, file has 4,096");
    }

    [Fact]
    public void Rejects_voxels_cut_short_inside_a_gzip_stream()
    {
        var path = Corrupt(bytes => Gzip(bytes[..400]), extension: ".nii.gz");

        AssertProblem(path, "truncated: header says 240 bytes of voxels at offset 352, decompressed file has 400");
    }

    [Fact]
    public void Rejects_a_gzip_file_cut_short()
    {
        var path = Corrupt(bytes => Gzip(bytes)[..60], extension: ".nii.gz");

        AssertProblem(path, "truncated header: decompressed file has");
    }

    [Fact]
    public void Rejects_a_gzip_stream_with_damaged_data()
    {
        var path = Corrupt(bytes =>
        {
            var compressed = Gzip(bytes);
            for (var index = 12; index < 40; index++)
            {
                compressed[index] ^= 0x5a;
            }

            return compressed;
        }, extension: ".nii.gz");

        AssertProblem(path, "gzip stream corrupt: its deflate data does not decode after ");
    }

    [Fact]
    public void Rejects_a_gzip_stream_whose_checksum_does_not_match()
    {
        // The CRC-32 sits in the last eight bytes, after every voxel: only a reader that drains the stream sees it.
        var path = Corrupt(bytes =>
        {
            var compressed = Gzip(bytes);
            compressed[^8] ^= 0xff;
            return compressed;
        }, extension: ".nii.gz");

        AssertProblem(path, "gzip stream corrupt: ");
    }

    [Fact]
    public void Rejects_a_gzip_stream_without_its_trailer()
    {
        var path = Corrupt(bytes => Gzip(bytes)[..^8], extension: ".nii.gz");

        AssertProblem(path, "gzip trailer does not match the data");
    }

    [Fact]
    public void Rejects_a_gzip_stream_followed_by_other_bytes()
    {
        var path = Corrupt(bytes => [.. Gzip(bytes), .. "trailing garbage"u8], extension: ".nii.gz");

        AssertProblem(path, "gzip trailer does not match the data");
    }

    [Theory]
    [InlineData(2, 0x09, "gzip header corrupt: compression method 9 (gzip has only deflate, 8)")]
    [InlineData(3, 0x80, "gzip header corrupt: flags 0x80 set reserved bits (0xe0 must be 0)")]
    public void Rejects_a_corrupt_gzip_header_as_such(int offset, byte value, string problem)
    {
        var path = Corrupt(bytes => Patch(Gzip(bytes), offset, new[] { value }), extension: ".nii.gz");

        AssertProblem(path, problem);
    }

    [Fact]
    public void Reads_an_intact_gzip_file()
    {
        var path = Corrupt(Gzip, extension: ".nii.gz");

        Assert.Equal(Samples.Dimensions, NiftiFile.Read(path).Header.Dimensions);
    }

    [Fact]
    public void Rejects_a_bitpix_that_disagrees_with_the_datatype()
    {
        // bitpix is the int16 at offset 72 of a NIfTI-1 header; the sample is INT16 (code 4).
        var path = Corrupt(bytes => WriteInt16(bytes, 72, 32));

        AssertProblem(path, "bitpix 32 disagrees with datatype 4 (INT16), which has 16 bits per voxel");
    }

    [Fact]
    public void Rejects_a_bad_magic()
    {
        var path = Corrupt(bytes => Patch(bytes, 344, "abc\0"u8));

        AssertProblem(path, "bad magic \"abc\\x00\" (expected \"n+1\\x00\" for a NIfTI-1 header)");
    }

    [Fact]
    public void Rejects_a_nifti2_magic_altered_by_a_text_mode_transfer()
    {
        var path = Corrupt(bytes => Patch(bytes, 4, "n+2\0\n\n\x1a\n"u8), NiftiVersion.Nifti2);

        AssertProblem(path, "bad magic \"n+2\\x00\\x0a\\x0a\\x1a\\x0a\" (expected \"n+2\\x00\\x0d\\x0a\\x1a\\x0a\" for a NIfTI-2 header)");
    }

    [Fact]
    public void Rejects_the_header_of_a_hdr_img_pair()
    {
        var path = Corrupt(bytes => Patch(bytes, 344, "ni1\0"u8));

        AssertProblem(path, "magic \"ni1\\x00\" marks the header of a .hdr/.img pair; only single-file .nii images");
    }

    [Theory]
    [InlineData(123)]
    [InlineData(0)]
    [InlineData(352)]
    public void Rejects_a_bad_sizeof_hdr(int sizeofHdr)
    {
        var path = Corrupt(bytes => WriteInt32(bytes, 0, sizeofHdr));

        AssertProblem(path, $"bad sizeof_hdr {sizeofHdr} (expected 348 or 540, in either byte order)");
    }

    [Fact]
    public void Rejects_an_unsupported_datatype_and_lists_the_supported_ones()
    {
        var path = Corrupt(bytes => WriteInt16(bytes, 70, 128));

        AssertProblem(path,
            "unsupported datatype 128 (RGB24); supported: UINT8 (2), INT8 (256), INT16 (4), UINT16 (512), INT32 (8), FLOAT32 (16), FLOAT64 (64)");
    }

    [Fact]
    public void Rejects_a_datatype_that_is_no_nifti_type()
    {
        var path = Corrupt(bytes => WriteInt16(bytes, 70, 3));

        AssertProblem(path, "unsupported datatype 3 (not a NIfTI datatype); supported: UINT8 (2)");
    }

    [Theory]
    [InlineData(2, -5, "bad dim[2] -5 (every size up to dim[0] = 4 must be at least 1)")]
    [InlineData(3, 0, "bad dim[3] 0 (every size up to dim[0] = 4 must be at least 1)")]
    [InlineData(0, 0, "bad dim[0] 0 (expected 1 to 7)")]
    [InlineData(0, 8, "bad dim[0] 8 (expected 1 to 7)")]
    [InlineData(0, -1, "bad dim[0] -1 (expected 1 to 7)")]
    public void Rejects_zero_or_negative_dimensions(int axis, short size, string problem)
    {
        var path = Corrupt(bytes => WriteInt16(bytes, 40 + 2 * axis, size));

        AssertProblem(path, problem);
    }

    [Fact]
    public void Rejects_a_negative_nifti2_dimension()
    {
        var path = Corrupt(bytes => WriteInt64(bytes, 16 + 8 * 1, -64), NiftiVersion.Nifti2);

        AssertProblem(path, "bad dim[1] -64 (every size up to dim[0] = 4 must be at least 1)");
    }

    [Theory]
    [InlineData(0f, "bad vox_offset 0 (a single-file NIfTI-1 stores voxels at a whole byte offset of at least 352)")]
    [InlineData(352.5f, "bad vox_offset 352.5 (")]
    [InlineData(float.NaN, "bad vox_offset NaN (")]
    public void Rejects_a_vox_offset_inside_the_header_or_between_bytes(float voxOffset, string problem)
    {
        var path = Corrupt(bytes =>
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(108), voxOffset);
            return bytes;
        });

        AssertProblem(path, problem);
    }

    [Fact]
    public void Rejects_voxels_beyond_the_end_of_the_file()
    {
        var path = Corrupt(bytes =>
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(108), 4096);
            return bytes;
        });

        AssertProblem(path, "truncated: header says 240 bytes of voxels at offset 4,096, file has 592");
    }

    [Fact]
    public void Reads_the_header_of_a_file_whose_voxels_are_cut_short()
    {
        var path = Corrupt(bytes => bytes[..360]);

        Assert.Equal(Samples.Dimensions, NiftiFile.ReadHeader(path).Dimensions);
        AssertProblem(path, "truncated: header says 240 bytes of voxels at offset 352, file has 360");
    }

    /// <summary>Writes the Int16 sample image, transforms its bytes, and returns the damaged file's path.</summary>
    private string Corrupt(Func<byte[], byte[]> damage, NiftiVersion version = NiftiVersion.Nifti1, string extension = ".nii")
    {
        var path = folder.File("damaged" + extension);
        var plain = folder.File("intact.nii");
        NiftiFile.Write(Samples.Image(Samples.Header(NiftiDataType.Int16, version)), plain);
        File.WriteAllBytes(path, damage(File.ReadAllBytes(plain)));
        return path;
    }

    private static void AssertProblem(string path, string problem)
    {
        var error = Assert.Throws<NiftiFormatException>(() => NiftiFile.Read(path));

        Assert.Equal(path, error.FilePath);
        Assert.StartsWith(path + ": ", error.Message);
        Assert.StartsWith(problem, error.Problem);
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
        {
            gzip.Write(bytes);
        }

        return output.ToArray();
    }

    private static byte[] Patch(byte[] bytes, int offset, ReadOnlySpan<byte> replacement)
    {
        replacement.CopyTo(bytes.AsSpan(offset));
        return bytes;
    }

    private static byte[] WriteInt16(byte[] bytes, int offset, short value)
    {
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(offset), value);
        return bytes;
    }

    private static byte[] WriteInt32(byte[] bytes, int offset, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(offset), value);
        return bytes;
    }

    private static byte[] WriteInt64(byte[] bytes, int offset, long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(offset), value);
        return bytes;
    }
}
