using System.Collections.Generic;

namespace Unetr.Model.Data.Sources;

/// <summary>
/// The files of one labelled volume: one or more image files whose channels are concatenated in this order (MONAI
/// datalists may list one file per modality), and the label map on the same voxel grid.
/// </summary>
/// <param name="ImagePaths">Full paths of the image files, at least one.</param>
/// <param name="LabelPath">Full path of the label map.</param>
public sealed record VolumeFiles(IReadOnlyList<string> ImagePaths, string LabelPath)
{
    /// <summary>A volume with a single image file.</summary>
    public VolumeFiles(string imagePath, string labelPath)
        : this(new[] { imagePath }, labelPath)
    {
    }

    /// <summary>The image file names joined with " + ", for messages.</summary>
    public string Describe() => string.Join(" + ", ImagePaths);
}
