using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace Unetr.Model.Data.Nifti;

/// <summary>
/// The NIfTI header fields this library keeps: layout, shape, voxel type, scaling and geometry. Field names follow
/// the standard (nifti1.h / nifti2.h). Lists are copied on assignment, so a header never changes once built;
/// derive variants with <c>with</c>. Two headers are equal when every field is (lists element by element).
/// </summary>
public sealed record NiftiHeader
{
    /// <summary>The largest number of dimensions NIfTI allows (<c>dim[0]</c> ≤ 7).</summary>
    public const int MaxDimensions = 7;

    /// <summary>The <c>intent_code</c> of a label map (<c>NIFTI_INTENT_LABEL</c>).</summary>
    public const int LabelIntent = 1002;

    private static readonly double[] IdentityRowX = { 1, 0, 0, 0 };
    private static readonly double[] IdentityRowY = { 0, 1, 0, 0 };
    private static readonly double[] IdentityRowZ = { 0, 0, 1, 0 };

    private readonly long[] dimensions = { 1 };
    private readonly double[] pixDim = { 1, 1, 1, 1, 1, 1, 1, 1 };
    private readonly double[] srowX = IdentityRowX;
    private readonly double[] srowY = IdentityRowY;
    private readonly double[] srowZ = IdentityRowZ;
    private readonly string description = "";

    /// <summary>Header layout to write; the reader sets the one the file used.</summary>
    public NiftiVersion Version { get; init; } = NiftiVersion.Nifti1;

    /// <summary>Byte order to write; the reader sets the one the file used.</summary>
    public NiftiByteOrder ByteOrder { get; init; } = NiftiByteOrder.LittleEndian;

    /// <summary>
    /// <c>dim[1..dim[0]]</c>: the size of each axis, x (fastest in the file) first, then y, z, t and up to three
    /// more. One to <see cref="MaxDimensions"/> entries, all positive.
    /// </summary>
    public required IReadOnlyList<long> Dimensions
    {
        get => dimensions;
        init
        {
            if (value.Count is < 1 or > MaxDimensions || value.Any(size => size < 1))
            {
                throw new ArgumentException(
                    $"A NIfTI image has 1 to {MaxDimensions} dimensions, each at least 1; got [{string.Join(", ", value)}].", nameof(value));
            }

            dimensions = value.ToArray();
        }
    }

    /// <summary>How voxels are stored (<c>datatype</c>; <c>bitpix</c> follows from it).</summary>
    public NiftiDataType DataType { get; init; } = NiftiDataType.Float32;

    /// <summary>
    /// <c>pixdim[0..7]</c>: [0] is qfac (its sign flips the qform's z axis), [1..3] the voxel spacing along x, y, z,
    /// [4] the time step. Exactly eight entries.
    /// </summary>
    public IReadOnlyList<double> PixDim
    {
        get => pixDim;
        init => pixDim = Exactly(8, value, nameof(PixDim));
    }

    /// <summary><c>scl_slope</c>: stored value × slope + intercept = voxel value; 0 (or not finite) means no scaling.</summary>
    public double ScaleSlope { get; init; } = 1;

    /// <summary><c>scl_inter</c>: added after the slope when <see cref="ScaleSlope"/> applies (not finite counts as 0).</summary>
    public double ScaleIntercept { get; init; }

    /// <summary><c>qform_code</c>: whether (and into what space) the quaternion transform maps voxels.</summary>
    public NiftiXformCode QformCode { get; init; }

    /// <summary><c>sform_code</c>: whether (and into what space) the <c>srow_*</c> affine maps voxels.</summary>
    public NiftiXformCode SformCode { get; init; }

    /// <summary><c>quatern_b</c> of the qform rotation (a is implied, non-negative).</summary>
    public double QuaternB { get; init; }

    /// <summary><c>quatern_c</c> of the qform rotation.</summary>
    public double QuaternC { get; init; }

    /// <summary><c>quatern_d</c> of the qform rotation.</summary>
    public double QuaternD { get; init; }

    /// <summary><c>qoffset_x</c>: x of voxel (0, 0, 0) under the qform.</summary>
    public double QOffsetX { get; init; }

    /// <summary><c>qoffset_y</c>: y of voxel (0, 0, 0) under the qform.</summary>
    public double QOffsetY { get; init; }

    /// <summary><c>qoffset_z</c>: z of voxel (0, 0, 0) under the qform.</summary>
    public double QOffsetZ { get; init; }

    /// <summary><c>srow_x</c>: first row of the sform affine, four entries.</summary>
    public IReadOnlyList<double> SrowX
    {
        get => srowX;
        init => srowX = Exactly(4, value, nameof(SrowX));
    }

    /// <summary><c>srow_y</c>: second row of the sform affine, four entries.</summary>
    public IReadOnlyList<double> SrowY
    {
        get => srowY;
        init => srowY = Exactly(4, value, nameof(SrowY));
    }

    /// <summary><c>srow_z</c>: third row of the sform affine, four entries.</summary>
    public IReadOnlyList<double> SrowZ
    {
        get => srowZ;
        init => srowZ = Exactly(4, value, nameof(SrowZ));
    }

    /// <summary><c>xyzt_units</c>: spatial unit code (bits 0-2) plus temporal unit code (bits 3-5).</summary>
    public int XyztUnits { get; init; }

    /// <summary><c>intent_code</c>: what the voxel values mean (0 none, <see cref="LabelIntent"/> labels, …).</summary>
    public int IntentCode { get; init; }

    /// <summary><c>descrip</c>: free text, at most 80 ASCII characters when written.</summary>
    public string Description
    {
        get => description;
        init => description = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>The number of voxels: the product of <see cref="Dimensions"/>.</summary>
    public long VoxelCount => dimensions.Aggregate(1L, (product, size) => checked(product * size));

    /// <summary>Voxel spacing along x, y and z (<c>pixdim[1..3]</c>), in the units of <see cref="XyztUnits"/>.</summary>
    public IReadOnlyList<double> Spacing => new[] { pixDim[1], pixDim[2], pixDim[3] };

    /// <summary>
    /// The shape of this image as a tensor for <paramref name="order"/>: [D, H, W] for up to three dimensions
    /// (missing ones count as 1), else [C, D, H, W] with C the product of dimensions 4 to 7.
    /// </summary>
    /// <param name="order">Whether [D, H, W] is [z, y, x] or [x, y, z].</param>
    public long[] TensorShape(VoxelAxisOrder order)
    {
        long Size(int axis) => axis < dimensions.Length ? dimensions[axis] : 1;
        var spatial = order == VoxelAxisOrder.Zyx ? new[] { Size(2), Size(1), Size(0) } : new[] { Size(0), Size(1), Size(2) };
        return dimensions.Length <= 3
            ? spatial
            : spatial.Prepend(dimensions.Skip(3).Aggregate(1L, (product, size) => product * size)).ToArray();
    }

    /// <summary>Whether stored values are scaled on read: the slope is finite and non-zero.</summary>
    public bool HasScaling => ScaleSlope != 0 && double.IsFinite(ScaleSlope);

    /// <summary>
    /// The voxel-to-world affine (4 × 4, row-major, last row 0 0 0 1) the standard prescribes: the sform when
    /// <see cref="SformCode"/> is set, else the qform when <see cref="QformCode"/> is set, else the spacing on the
    /// diagonal (the standard's "method 1", no offset).
    /// </summary>
    public double[,] GetAffine() =>
        SformCode > NiftiXformCode.Unknown ? GetSformAffine()
        : QformCode > NiftiXformCode.Unknown ? GetQformAffine()
        : NiftiAffine.Diagonal(pixDim[1], pixDim[2], pixDim[3]);

    /// <summary>The affine the <c>srow_*</c> rows describe, whatever <see cref="SformCode"/> says.</summary>
    public double[,] GetSformAffine() => NiftiAffine.FromRows(srowX, srowY, srowZ);

    /// <summary>The affine the quaternion, offsets, spacing and qfac describe, whatever <see cref="QformCode"/> says.</summary>
    public double[,] GetQformAffine() =>
        NiftiAffine.FromQuaternion(
            (QuaternB, QuaternC, QuaternD), (QOffsetX, QOffsetY, QOffsetZ), (pixDim[1], pixDim[2], pixDim[3]), pixDim[0]);

    /// <summary>
    /// A header for a label map on the same grid: the first three dimensions (a channel axis is dropped), the same
    /// geometry, byte order and version, <paramref name="dataType"/> without scaling, intent <see cref="LabelIntent"/>.
    /// </summary>
    /// <param name="dataType">Voxel type of the labels; <see cref="NiftiDataType.UInt8"/> holds up to 256 classes.</param>
    public NiftiHeader ForLabelMap(NiftiDataType dataType = NiftiDataType.UInt8) => this with
    {
        Dimensions = dimensions.Take(3).ToArray(),
        DataType = dataType,
        ScaleSlope = 1,
        ScaleIntercept = 0,
        IntentCode = LabelIntent,
        Description = "",
    };

    /// <inheritdoc/>
    public bool Equals(NiftiHeader? other) =>
        other is not null
        && Version == other.Version && ByteOrder == other.ByteOrder && DataType == other.DataType
        && dimensions.SequenceEqual(other.dimensions) && pixDim.SequenceEqual(other.pixDim)
        && ScaleSlope.Equals(other.ScaleSlope) && ScaleIntercept.Equals(other.ScaleIntercept)
        && QformCode == other.QformCode && SformCode == other.SformCode
        && QuaternB.Equals(other.QuaternB) && QuaternC.Equals(other.QuaternC) && QuaternD.Equals(other.QuaternD)
        && QOffsetX.Equals(other.QOffsetX) && QOffsetY.Equals(other.QOffsetY) && QOffsetZ.Equals(other.QOffsetZ)
        && srowX.SequenceEqual(other.srowX) && srowY.SequenceEqual(other.srowY) && srowZ.SequenceEqual(other.srowZ)
        && XyztUnits == other.XyztUnits && IntentCode == other.IntentCode && description == other.description;

    /// <inheritdoc/>
    public override int GetHashCode() =>
        HashCode.Combine(Version, DataType, dimensions.Length, dimensions[0], ScaleSlope, QformCode, SformCode, srowX[3]);

    private bool PrintMembers(StringBuilder builder)
    {
        static string List<T>(IEnumerable<T> values) =>
            "[" + string.Join(", ", values.Select(value => string.Format(CultureInfo.InvariantCulture, "{0}", value))) + "]";

        builder.Append(CultureInfo.InvariantCulture,
            $"Version = {Version}, ByteOrder = {ByteOrder}, Dimensions = {List(dimensions)}, DataType = {DataType}, ");
        builder.Append(CultureInfo.InvariantCulture,
            $"PixDim = {List(pixDim)}, ScaleSlope = {ScaleSlope}, ScaleIntercept = {ScaleIntercept}, ");
        builder.Append(CultureInfo.InvariantCulture, $"QformCode = {QformCode}, Quatern = {List(new[] { QuaternB, QuaternC, QuaternD })}, ");
        builder.Append(CultureInfo.InvariantCulture, $"QOffset = {List(new[] { QOffsetX, QOffsetY, QOffsetZ })}, ");
        builder.Append(CultureInfo.InvariantCulture,
            $"SformCode = {SformCode}, SrowX = {List(srowX)}, SrowY = {List(srowY)}, SrowZ = {List(srowZ)}, ");
        builder.Append(CultureInfo.InvariantCulture,
            $"XyztUnits = {XyztUnits}, IntentCode = {IntentCode}, Description = \"{description}\"");
        return true;
    }

    private static double[] Exactly(int count, IReadOnlyList<double> value, string name) =>
        value.Count == count
            ? value.ToArray()
            : throw new ArgumentException($"{name} needs exactly {count} entries; got {value.Count}.", nameof(value));
}
