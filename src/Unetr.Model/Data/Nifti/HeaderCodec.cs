using System;
using System.Buffers.Binary;
using System.Globalization;
using System.Linq;
using System.Text;

namespace Unetr.Model.Data.Nifti;

/// <summary>Turns header bytes into a <see cref="NiftiHeader"/> and back, checking what the standard requires.</summary>
internal static class HeaderCodec
{
    /// <summary>Everything the first four bytes decide: layout and byte order.</summary>
    public static (HeaderLayout Layout, NiftiByteOrder ByteOrder)? Identify(ReadOnlySpan<byte> sizeofHdr)
    {
        foreach (var layout in new[] { HeaderLayout.Nifti1, HeaderLayout.Nifti2 })
        {
            if (BinaryPrimitives.ReadInt32LittleEndian(sizeofHdr) == layout.Size)
            {
                return (layout, NiftiByteOrder.LittleEndian);
            }

            if (BinaryPrimitives.ReadInt32BigEndian(sizeofHdr) == layout.Size)
            {
                return (layout, NiftiByteOrder.BigEndian);
            }
        }

        return null;
    }

    /// <summary>
    /// Parses a complete header (<paramref name="bytes"/> is <see cref="HeaderLayout.Size"/> long).
    /// Throws <see cref="NiftiFormatException"/> naming <paramref name="path"/> for anything unreadable.
    /// </summary>
    /// <returns>The header and where the voxels start.</returns>
    public static (NiftiHeader Header, long VoxOffset) Parse(
        Span<byte> bytes, HeaderLayout layout, NiftiByteOrder byteOrder, string path)
    {
        var fields = new HeaderFields(bytes, byteOrder);
        CheckMagic(bytes, layout, path);

        var rank = fields.Integer(layout.Dim);
        if (rank is < 1 or > NiftiHeader.MaxDimensions)
        {
            throw new NiftiFormatException(path, $"bad dim[0] {rank} (expected 1 to {NiftiHeader.MaxDimensions})");
        }

        var dimensions = new long[rank];
        for (var axis = 1; axis <= rank; axis++)
        {
            dimensions[axis - 1] = fields.Integer(layout.Dim, axis);
            if (dimensions[axis - 1] < 1)
            {
                throw new NiftiFormatException(path, $"bad dim[{axis}] {dimensions[axis - 1]} (every size up to dim[0] = {rank} must be at least 1)");
            }
        }

        var dataType = (int)fields.Integer(layout.DataType);
        if (!NiftiDataTypes.IsSupported(dataType))
        {
            throw new NiftiFormatException(path, NiftiDataTypes.DescribeUnsupported(dataType));
        }

        // bitpix repeats what datatype says; when they disagree, one of them is damaged and we cannot tell which.
        var bitpix = fields.Integer(layout.Bitpix);
        var bitsPerVoxel = ((NiftiDataType)dataType).BytesPerVoxel() * 8;
        if (bitpix != bitsPerVoxel)
        {
            throw new NiftiFormatException(path,
                $"bitpix {bitpix} disagrees with datatype {dataType} ({NiftiDataTypes.NameOf(dataType)}), which has {bitsPerVoxel} bits per voxel");
        }

        var voxOffset = fields.Real(layout.VoxOffset);
        if (!(voxOffset >= layout.MinimumVoxOffset) || voxOffset != Math.Floor(voxOffset) || voxOffset > long.MaxValue)
        {
            throw new NiftiFormatException(path,
                $"bad vox_offset {voxOffset.ToString(CultureInfo.InvariantCulture)} (a single-file {layout.Name} stores voxels "
                + $"at a whole byte offset of at least {layout.MinimumVoxOffset})");
        }

        var header = new NiftiHeader
        {
            Version = layout.Version,
            ByteOrder = byteOrder,
            Dimensions = dimensions,
            DataType = (NiftiDataType)dataType,
            PixDim = Reals(fields, layout.PixDim, 8),
            ScaleSlope = fields.Real(layout.SclSlope),
            ScaleIntercept = fields.Real(layout.SclInter),
            QformCode = (NiftiXformCode)fields.Integer(layout.QformCode),
            SformCode = (NiftiXformCode)fields.Integer(layout.SformCode),
            QuaternB = fields.Real(layout.Quatern, 0),
            QuaternC = fields.Real(layout.Quatern, 1),
            QuaternD = fields.Real(layout.Quatern, 2),
            QOffsetX = fields.Real(layout.Quatern, 3),
            QOffsetY = fields.Real(layout.Quatern, 4),
            QOffsetZ = fields.Real(layout.Quatern, 5),
            SrowX = Reals(fields, layout.Srow, 4, 0),
            SrowY = Reals(fields, layout.Srow, 4, 4),
            SrowZ = Reals(fields, layout.Srow, 4, 8),
            XyztUnits = (int)fields.Integer(layout.XyztUnits),
            IntentCode = (int)fields.Integer(layout.IntentCode),
            Description = Text(bytes.Slice(layout.DescripOffset, HeaderLayout.DescripLength)),
        };
        return (header, (long)voxOffset);
    }

    /// <summary>
    /// The header of a file without extensions, followed by the zero extension flag: the bytes that precede the voxels.
    /// </summary>
    public static byte[] Serialize(NiftiHeader header)
    {
        var layout = HeaderLayout.For(header.Version);
        CheckWritable(header, layout);
        var bytes = new byte[layout.MinimumVoxOffset];
        var fields = new HeaderFields(bytes, header.ByteOrder);

        fields.SetInteger(new Field(0, FieldKind.Int32), layout.Size);
        layout.Magic.CopyTo(bytes, layout.MagicOffset);
        fields.SetInteger(layout.Dim, header.Dimensions.Count);
        for (var axis = 1; axis <= NiftiHeader.MaxDimensions; axis++)
        {
            // Unused sizes are 1 rather than 0 so that readers multiplying all seven get the right count.
            fields.SetInteger(layout.Dim, axis <= header.Dimensions.Count ? header.Dimensions[axis - 1] : 1, axis);
        }

        fields.SetInteger(layout.IntentCode, header.IntentCode);
        fields.SetInteger(layout.DataType, (int)header.DataType);
        fields.SetInteger(layout.Bitpix, header.DataType.BytesPerVoxel() * 8);
        for (var index = 0; index < 8; index++)
        {
            fields.SetReal(layout.PixDim, header.PixDim[index], index);
        }

        fields.SetInteger(layout.VoxOffset, layout.MinimumVoxOffset);
        fields.SetReal(layout.SclSlope, header.ScaleSlope);
        fields.SetReal(layout.SclInter, header.ScaleIntercept);
        fields.SetInteger(layout.XyztUnits, header.XyztUnits);
        Encoding.Latin1.GetBytes(header.Description, bytes.AsSpan(layout.DescripOffset, HeaderLayout.DescripLength));
        fields.SetInteger(layout.QformCode, (int)header.QformCode);
        fields.SetInteger(layout.SformCode, (int)header.SformCode);
        var quatern = new[] { header.QuaternB, header.QuaternC, header.QuaternD, header.QOffsetX, header.QOffsetY, header.QOffsetZ };
        var srow = header.SrowX.Concat(header.SrowY).Concat(header.SrowZ).ToArray();
        for (var index = 0; index < quatern.Length; index++)
        {
            fields.SetReal(layout.Quatern, quatern[index], index);
        }

        for (var index = 0; index < srow.Length; index++)
        {
            fields.SetReal(layout.Srow, srow[index], index);
        }

        return bytes;
    }

    private static void CheckMagic(ReadOnlySpan<byte> bytes, HeaderLayout layout, string path)
    {
        var magic = bytes.Slice(layout.MagicOffset, layout.Magic.Length);
        if (magic.SequenceEqual(layout.PairMagic))
        {
            throw new NiftiFormatException(path,
                $"magic \"{Escape(magic)}\" marks the header of a .hdr/.img pair; "
                + $"only single-file .nii images (magic \"{Escape(layout.Magic)}\") are supported");
        }

        if (!magic.SequenceEqual(layout.Magic))
        {
            throw new NiftiFormatException(path,
                $"bad magic \"{Escape(magic)}\" (expected \"{Escape(layout.Magic)}\" for a {layout.Name} header)");
        }
    }

    private static void CheckWritable(NiftiHeader header, HeaderLayout layout)
    {
        if (layout == HeaderLayout.Nifti1 && header.Dimensions.Any(size => size > short.MaxValue))
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"NIfTI-1 stores sizes up to {short.MaxValue:N0}; ")
                + $"dimensions [{string.Join(", ", header.Dimensions)}] need NiftiVersion.Nifti2.",
                nameof(header));
        }

        static bool Fits16(long value) => value is >= short.MinValue and <= short.MaxValue;
        if (layout == HeaderLayout.Nifti1
            && !(header.XyztUnits is >= 0 and <= byte.MaxValue && Fits16(header.IntentCode)
                 && Fits16((int)header.QformCode) && Fits16((int)header.SformCode)))
        {
            throw new ArgumentException(
                "NIfTI-1 stores xyzt_units in a byte and intent_code, qform_code and sform_code in 16 bits; got "
                + $"{header.XyztUnits}, {header.IntentCode}, {(int)header.QformCode} and {(int)header.SformCode}.",
                nameof(header));
        }

        if (header.Description.Length > HeaderLayout.DescripLength || header.Description.Any(character => character > '\u00ff'))
        {
            throw new ArgumentException(
                $"descrip holds at most {HeaderLayout.DescripLength} single-byte characters; got \"{header.Description}\".", nameof(header));
        }

        if (!Enum.IsDefined(header.DataType))
        {
            throw new ArgumentException(NiftiDataTypes.DescribeUnsupported((int)header.DataType), nameof(header));
        }
    }

    private static double[] Reals(HeaderFields fields, Field field, int count, int first = 0)
    {
        var values = new double[count];
        for (var index = 0; index < count; index++)
        {
            values[index] = fields.Real(field, first + index);
        }

        return values;
    }

    /// <summary>A NUL-terminated fixed-width text field; Latin-1 so that any byte survives a read and write.</summary>
    private static string Text(ReadOnlySpan<byte> field)
    {
        var end = field.IndexOf((byte)0);
        return Encoding.Latin1.GetString(end < 0 ? field : field[..end]);
    }

    private static string Escape(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder();
        foreach (var value in bytes)
        {
            text.Append(value is >= 0x20 and < 0x7f and not (byte)'"' and not (byte)'\\'
                ? ((char)value).ToString()
                : string.Format(CultureInfo.InvariantCulture, "\\x{0:x2}", value));
        }

        return text.ToString();
    }

}
