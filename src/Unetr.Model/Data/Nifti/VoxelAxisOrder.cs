namespace Unetr.Model.Data.Nifti;

/// <summary>
/// How the NIfTI axes (x, y, z; x varies fastest in the file) map onto the spatial axes [D, H, W] of a tensor.
/// Channels (NIfTI dimensions 4 to 7) always come first.
/// </summary>
public enum VoxelAxisOrder
{
    /// <summary>
    /// [D, H, W] = [z, y, x]: the file's own memory order read row-major, so no transpose is made. A slice
    /// <c>t[k]</c> is the axial slice z = k.
    /// </summary>
    Zyx,

    /// <summary>
    /// [D, H, W] = [x, y, z]: the order nibabel and MONAI use (<c>LoadImage</c> then channel first). Pick this for
    /// networks trained with MONAI, which saw their volumes in this order. Costs one transposed copy.
    /// </summary>
    Xyz,
}
