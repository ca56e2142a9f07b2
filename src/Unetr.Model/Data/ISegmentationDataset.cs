using TorchSharp;

namespace Unetr.Model.Data;

/// <summary>Volumes with voxel labels, by index: what the trainer samples from and validates on.</summary>
public interface ISegmentationDataset
{
    /// <summary>Number of volumes.</summary>
    int Count { get; }

    /// <summary>
    /// The volume at <paramref name="index"/> as new tensors the caller disposes: image [C, D, H, W] (float32) and
    /// label [D, H, W] (int64 class indices).
    /// </summary>
    (torch.Tensor Image, torch.Tensor Label) Get(int index);
}
