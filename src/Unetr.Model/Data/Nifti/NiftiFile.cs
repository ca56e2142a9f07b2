using System;
using System.Buffers.Binary;
using System.Globalization;
using System.IO;
using System.IO.Compression;

namespace Unetr.Model.Data.Nifti;

/// <summary>
/// Reads and writes single-file NIfTI-1 and NIfTI-2 images, plain (<c>.nii</c>) or gzip-compressed
/// (<c>.nii.gz</c>), in either byte order.
/// </summary>
public static class NiftiFile
{
    private const int CopyBufferSize = 1 << 20;

    /// <summary>
    /// Reads an image. Compression is recognised by content (the gzip signature), not by the file name;
    /// extensions between header and voxels are skipped.
    /// </summary>
    /// <exception cref="NiftiFormatException">The file is truncated, corrupt or uses an unsupported feature.</exception>
    /// <exception cref="IOException">The file cannot be opened or read.</exception>
    public static NiftiImage Read(string path)
    {
        using var reader = new Reader(path);
        return reader.BlamingDamagedCompressionFirst(() =>
        {
            var (header, voxOffset) = reader.ReadHeader();
            return new NiftiImage(header, reader.ReadVoxels(header, voxOffset), path);
        });
    }

    /// <summary>Reads only the header (the voxels are neither read nor checked).</summary>
    /// <exception cref="NiftiFormatException">The header is truncated, corrupt or unsupported.</exception>
    /// <exception cref="IOException">The file cannot be opened or read.</exception>
    public static NiftiHeader ReadHeader(string path)
    {
        using var reader = new Reader(path);
        return reader.BlamingDamagedCompressionFirst(() => reader.ReadHeader().Header);
    }

    /// <summary>
    /// Writes <paramref name="image"/> in its header's version and byte order, gzip-compressed when the name ends in
    /// <c>.nii.gz</c>. The file is written beside the target under a temporary name and then renamed over it, so a
    /// reader never sees a partial file and a failed write leaves any previous file intact.
    /// </summary>
    /// <param name="image">The image; its voxels are written exactly as stored, with their scaling.</param>
    /// <param name="path">Destination ending in <c>.nii</c> or <c>.nii.gz</c>.</param>
    /// <exception cref="ArgumentException">The name has another ending, or the header cannot be stored in its version.</exception>
    public static void Write(NiftiImage image, string path)
    {
        var fullPath = Path.GetFullPath(path);
        var compress = fullPath.EndsWith(".nii.gz", StringComparison.OrdinalIgnoreCase);
        if (!compress && !fullPath.EndsWith(".nii", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"A NIfTI file name ends in .nii or .nii.gz; got \"{path}\".", nameof(path));
        }

        var header = HeaderCodec.Serialize(image.Header);
        var temporary = Path.Combine(Path.GetDirectoryName(fullPath)!, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, CopyBufferSize))
            {
                if (compress)
                {
                    using var gzip = new GZipStream(file, CompressionLevel.Optimal, leaveOpen: true);
                    WriteBody(gzip, header, image);
                }
                else
                {
                    WriteBody(file, header, image);
                }

                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    private static void WriteBody(Stream output, byte[] header, NiftiImage image)
    {
        output.Write(header);
        var voxels = image.StoredVoxels;
        if (image.Header.ByteOrder == NiftiByteOrder.LittleEndian)
        {
            output.Write(voxels);
            return;
        }

        // Swap a whole number of voxels at a time through one buffer rather than copying the volume.
        var bytesPerVoxel = image.Header.DataType.BytesPerVoxel();
        var buffer = new byte[CopyBufferSize - CopyBufferSize % bytesPerVoxel];
        for (var start = 0; start < voxels.Length; start += buffer.Length)
        {
            var chunk = buffer.AsSpan(0, Math.Min(buffer.Length, voxels.Length - start));
            voxels.Slice(start, chunk.Length).CopyTo(chunk);
            VoxelCodec.SwapByteOrder(chunk, image.Header.DataType);
            output.Write(chunk);
        }
    }

    /// <summary>One pass over a file: header, then voxels; turns every failure into a message naming the file.</summary>
    private sealed class Reader : IDisposable
    {
        private readonly string path;
        private readonly FileStream file;
        private readonly Stream source;
        private readonly bool compressed;
        private long position;
        private bool gzipFailed;
        private uint crc;

        public Reader(string path)
        {
            this.path = path;
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, CopyBufferSize);
            Span<byte> start = stackalloc byte[GzipMember.FixedHeaderSize];
            var got = file.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
            compressed = got >= 2 && start[0] == 0x1f && start[1] == 0x8b;
            if (compressed && GzipMember.HeaderProblem(start[..got]) is { } problem)
            {
                // Checked here because GZipStream calls any bad header byte "unsupported compression method".
                file.Dispose();
                throw Problem(problem);
            }

            file.Position = 0;
            source = compressed ? new GZipStream(file, CompressionMode.Decompress) : file;
        }

        /// <summary>
        /// Runs <paramref name="read"/>. Damaged deflate data can inflate to plausible garbage without an error, so
        /// when a compressed file does not hold a valid image the rest of the stream is read: if its checksum fails,
        /// the damaged compression is reported instead of whatever the garbage looked like.
        /// </summary>
        public T BlamingDamagedCompressionFirst<T>(Func<T> read)
        {
            try
            {
                return read();
            }
            catch (NiftiFormatException) when (compressed && !gzipFailed)
            {
                Skip(long.MaxValue);
                throw;
            }
        }

        public (NiftiHeader Header, long VoxOffset) ReadHeader()
        {
            var sizeofHdr = new byte[4];
            var got = Fill(sizeofHdr);
            if (got < sizeofHdr.Length)
            {
                throw Problem($"truncated header: {Has(got)} bytes, a NIfTI header needs at least {HeaderLayout.Nifti1.Size}");
            }

            if (HeaderCodec.Identify(sizeofHdr) is not var (layout, byteOrder))
            {
                var value = BinaryPrimitives.ReadInt32LittleEndian(sizeofHdr);
                throw Problem(
                    $"bad sizeof_hdr {value} (expected {HeaderLayout.Nifti1.Size} or {HeaderLayout.Nifti2.Size}, in either byte order)");
            }

            var bytes = new byte[layout.Size];
            sizeofHdr.CopyTo(bytes, 0);
            got = sizeofHdr.Length + Fill(bytes.AsSpan(sizeofHdr.Length));
            if (got < layout.Size)
            {
                throw Problem($"truncated header: {Has(got)} bytes, a {layout.Name} header needs {layout.Size}");
            }

            return HeaderCodec.Parse(bytes, layout, byteOrder, path);
        }

        public byte[] ReadVoxels(NiftiHeader header, long voxOffset)
        {
            long length;
            try
            {
                length = checked(header.VoxelCount * header.DataType.BytesPerVoxel());
            }
            catch (OverflowException)
            {
                throw Problem($"dimensions [{string.Join(", ", header.Dimensions)}] of {header.DataType} overflow a 64-bit byte count");
            }

            var end = voxOffset + length;
            if (!compressed && file.Length < end)
            {
                // Checked before allocating, so a corrupt size cannot ask for gigabytes.
                throw Problem(Invariant(
                    $"truncated: header says {length:N0} bytes of voxels at offset {voxOffset:N0}, file has {file.Length:N0}"));
            }

            if (length > Array.MaxLength)
            {
                throw Problem(Invariant(
                    $"too large: {length:N0} bytes of voxels; this reader holds at most {Array.MaxLength:N0} in memory"));
            }

            Skip(voxOffset - position);
            var voxels = new byte[length];
            Fill(voxels);
            if (position < end)
            {
                throw Problem(Invariant(
                    $"truncated: header says {length:N0} bytes of voxels at offset {voxOffset:N0}, {Has(position)}"));
            }

            if (compressed)
            {
                // GZipStream checks a trailer it finds but accepts a stream that ends without one or is followed by
                // other bytes; the file's last eight bytes must be the trailer of everything decompressed.
                Skip(long.MaxValue);
                CheckTrailer();
            }

            // A header whose dimensions shrank (a flipped or edited dim) would otherwise read the first voxels of a larger image.
            var total = compressed ? position : file.Length;
            if (total > end)
            {
                throw Problem(Invariant(
                    $"{total - end:N0} bytes follow the {length:N0} bytes of voxels the header describes at offset {voxOffset:N0}; the dimensions or the data type do not match the data"));
            }

            if (header.ByteOrder == NiftiByteOrder.BigEndian)
            {
                VoxelCodec.SwapByteOrder(voxels, header.DataType);
            }

            return voxels;
        }

        public void Dispose() => source.Dispose();

        private int Fill(Span<byte> buffer)
        {
            int got;
            try
            {
                got = source.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            }
            catch (InvalidDataException error) when (compressed)
            {
                gzipFailed = true;
                throw new NiftiFormatException(
                    path,
                    Invariant($"gzip stream corrupt: its deflate data does not decode after {position:N0} bytes of output, so the file is damaged (the decoder says: {error.Message})"),
                    error);
            }

            if (compressed)
            {
                crc = GzipMember.Crc32(crc, buffer[..got]);
            }

            position += got;
            return got;
        }

        private void CheckTrailer()
        {
            var trailer = new byte[Math.Min(GzipMember.TrailerSize, file.Length)];
            file.Position = file.Length - trailer.Length;
            file.ReadExactly(trailer);
            if (GzipMember.TrailerProblem(trailer, crc, position) is { } problem)
            {
                throw Problem(problem);
            }
        }

        /// <summary>Discards up to <paramref name="count"/> bytes (gzip streams cannot seek).</summary>
        private void Skip(long count)
        {
            var buffer = new byte[(int)Math.Min(CopyBufferSize, Math.Max(count, 0))];
            while (count > 0)
            {
                var got = Fill(buffer.AsSpan(0, (int)Math.Min(buffer.Length, count)));
                if (got == 0)
                {
                    return;
                }

                count -= got;
            }
        }

        private string Has(long bytes) =>
            compressed ? Invariant($"decompressed file has {bytes:N0}") : Invariant($"file has {bytes:N0}");

        private NiftiFormatException Problem(string problem) => new(path, problem);

        private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
    }
}
