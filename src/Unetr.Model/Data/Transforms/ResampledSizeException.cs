using System;

namespace Unetr.Model.Data.Transforms;

/// <summary>
/// Resampling to a spacing would give a volume larger than <see cref="Resampling.MaxVoxels"/>, usually because a
/// header's voxel spacing is damaged. Thrown before any memory is asked for.
/// </summary>
public sealed class ResampledSizeException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The sizes and spacings involved, and the limit.</param>
    public ResampledSizeException(string message)
        : base(message)
    {
    }
}
