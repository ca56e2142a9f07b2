using System;
using System.Globalization;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Unetr.Model.Data.Nifti;

/// <summary>
/// A NIfTI image in memory: its <see cref="Header"/> and its voxels exactly as stored (type, and scaling left to
/// apply), so writing an image that was read reproduces its voxels bit for bit.
/// </summary>
/// <remarks>
/// As a tensor (<see cref="ToTensor"/>, <see cref="FromTensor"/>) a volume is [D, H, W] when the image has up to
/// three dimensions (missing ones count as 1), and [C, D, H, W] when it has four or more, C being the product of
/// NIfTI dimensions 4 to 7 (the 4th varying fastest). <see cref="VoxelAxisOrder"/> says whether [D, H, W] is
/// [z, y, x] or [x, y, z].
/// </remarks>
public sealed class NiftiImage
{
    // Voxels converted per step in FromTensor, so that a large volume never needs a second full copy in float64.
    private const int EncodeChunk = 1 << 20;

    private readonly byte[] voxels;

    /// <summary>Wraps stored voxels, little-endian, x fastest; the length must match the header.</summary>
    /// <param name="header">Shape, type, scaling and geometry.</param>
    /// <param name="littleEndianVoxels">The stored voxels.</param>
    /// <param name="sourcePath">The file they were read from, named by errors in their values.</param>
    internal NiftiImage(NiftiHeader header, byte[] littleEndianVoxels, string? sourcePath = null)
    {
        SourcePath = sourcePath;
        var expected = checked(header.VoxelCount * header.DataType.BytesPerVoxel());
        if (littleEndianVoxels.LongLength != expected)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture,
                    $"The header needs {expected:N0} bytes of voxels; got {littleEndianVoxels.LongLength:N0}."),
                nameof(littleEndianVoxels));
        }

        Header = header;
        voxels = littleEndianVoxels;
    }

    /// <summary>Shape, type, scaling and geometry.</summary>
    public NiftiHeader Header { get; }

    /// <summary>The file the image was read from, or <c>null</c> for an image built in memory.</summary>
    public string? SourcePath { get; }

    /// <summary>The stored voxels, little-endian whatever the file's byte order, x fastest.</summary>
    internal ReadOnlySpan<byte> StoredVoxels => voxels;

    /// <summary>
    /// Builds an image from a tensor of any real dtype and device, shaped as <see cref="NiftiHeader.TensorShape"/>
    /// says. Values are stored in the header's type after removing its scaling; integer types round to nearest,
    /// and a value that does not fit (or NaN) throws <see cref="ArgumentException"/>.
    /// </summary>
    /// <param name="header">Shape, type, scaling and geometry of the new image.</param>
    /// <param name="voxels">The values, in the layout <paramref name="order"/> names.</param>
    /// <param name="order">Whether <paramref name="voxels"/> is [.., z, y, x] or [.., x, y, z].</param>
    public static NiftiImage FromTensor(NiftiHeader header, Tensor voxels, VoxelAxisOrder order = VoxelAxisOrder.Zyx)
    {
        var expectedShape = header.TensorShape(order);
        if (!voxels.shape.SequenceEqual(expectedShape))
        {
            throw new ArgumentException(
                $"The header needs a tensor of shape [{string.Join(", ", expectedShape)}] ({order}); got [{string.Join(", ", voxels.shape)}].",
                nameof(voxels));
        }

        var bytesPerVoxel = header.DataType.BytesPerVoxel();
        var stored = new byte[checked(header.VoxelCount * bytesPerVoxel)];
        using var scope = NewDisposeScope();
        var fileOrder = (order == VoxelAxisOrder.Zyx ? voxels : ToOtherOrder(voxels)).detach().cpu().reshape(-1);
        for (long start = 0; start < fileOrder.shape[0]; start += EncodeChunk)
        {
            var length = Math.Min(EncodeChunk, fileOrder.shape[0] - start);
            using var chunk = fileOrder.narrow(0, start, length).to_type(float64).contiguous();
            VoxelCodec.Encode(
                chunk.data<double>().ToArray(), header, stored.AsSpan((int)(start * bytesPerVoxel), (int)(length * bytesPerVoxel)), start);
        }

        return new NiftiImage(header, stored);
    }

    /// <summary>
    /// The voxel values (scaling applied) as a new CPU tensor [D, H, W] or [C, D, H, W] (see the remarks on
    /// <see cref="NiftiImage"/>).
    /// </summary>
    /// <param name="order">
    /// <see cref="VoxelAxisOrder.Zyx"/> (the file's memory order, no transpose) or <see cref="VoxelAxisOrder.Xyz"/>
    /// (nibabel's and MONAI's order).
    /// </param>
    /// <param name="dtype"><see cref="ScalarType.Float32"/> (default) or <see cref="ScalarType.Float64"/>.</param>
    /// <exception cref="NiftiFormatException">The header's scaling turns a stored value into one <paramref name="dtype"/> cannot hold.</exception>
    public Tensor ToTensor(VoxelAxisOrder order = VoxelAxisOrder.Zyx, ScalarType dtype = ScalarType.Float32)
    {
        try
        {
            return Decode(order, dtype);
        }
        catch (OverflowException overflow)
        {
            throw new NiftiFormatException(SourcePath ?? "(image in memory)", overflow.Message, overflow);
        }
    }

    private Tensor Decode(VoxelAxisOrder order, ScalarType dtype)
    {
        var zyxShape = Header.TensorShape(VoxelAxisOrder.Zyx);
        using var scope = NewDisposeScope();
        Tensor values;
        switch (dtype)
        {
            case ScalarType.Float32:
                var singles = new float[Header.VoxelCount];
                VoxelCodec.Decode<float>(voxels, Header, singles);
                values = torch.tensor(singles, zyxShape);
                break;
            case ScalarType.Float64:
                var doubles = new double[Header.VoxelCount];
                VoxelCodec.Decode<double>(voxels, Header, doubles);
                values = torch.tensor(doubles, zyxShape);
                break;
            default:
                throw new ArgumentException($"Voxel values come as Float32 or Float64; got {dtype}.", nameof(dtype));
        }

        return (order == VoxelAxisOrder.Zyx ? values : ToOtherOrder(values).contiguous()).MoveToOuterDisposeScope();
    }

    /// <summary>[z, y, x] ⇄ [x, y, z] on the last three axes (the swap is its own inverse).</summary>
    private static Tensor ToOtherOrder(Tensor volume) =>
        volume.dim() == 3 ? volume.permute(2, 1, 0) : volume.permute(0, 3, 2, 1);
}
