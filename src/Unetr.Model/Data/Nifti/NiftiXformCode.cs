namespace Unetr.Model.Data.Nifti;

/// <summary>
/// What space a qform or sform maps voxels into (<c>qform_code</c>, <c>sform_code</c>). Any value above
/// <see cref="Unknown"/> means the transform is present; files may carry codes this enum does not name.
/// </summary>
public enum NiftiXformCode
{
    /// <summary>No transform: the corresponding fields are to be ignored.</summary>
    Unknown = 0,

    /// <summary>Scanner-based anatomical coordinates.</summary>
    ScannerAnatomical = 1,

    /// <summary>Coordinates aligned to another file or to anatomical truth.</summary>
    AlignedAnatomical = 2,

    /// <summary>Talairach-Tournoux atlas coordinates.</summary>
    Talairach = 3,

    /// <summary>MNI 152 normalized coordinates.</summary>
    Mni152 = 4,

    /// <summary>Some other template's coordinates.</summary>
    TemplateOther = 5,
}
