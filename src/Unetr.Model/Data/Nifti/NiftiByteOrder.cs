namespace Unetr.Model.Data.Nifti;

/// <summary>Byte order of a NIfTI file's header and voxels (the reader detects it from <c>sizeof_hdr</c>).</summary>
public enum NiftiByteOrder
{
    /// <summary>Least significant byte first (x86, ARM; what almost every tool writes).</summary>
    LittleEndian,

    /// <summary>Most significant byte first (older SPARC/PowerPC software).</summary>
    BigEndian,
}
