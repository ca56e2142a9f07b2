namespace Unetr.Model.Data.Nifti;

/// <summary>Which NIfTI header layout a file uses.</summary>
public enum NiftiVersion
{
    /// <summary>NIfTI-1: 348-byte header, 16-bit dimensions, 32-bit floating-point geometry.</summary>
    Nifti1 = 1,

    /// <summary>NIfTI-2: 540-byte header, 64-bit dimensions, 64-bit floating-point geometry.</summary>
    Nifti2 = 2,
}
