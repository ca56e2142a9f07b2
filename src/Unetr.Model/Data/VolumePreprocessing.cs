using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using Unetr.Model.Data.Nifti;
using Unetr.Model.Data.Transforms;
using static TorchSharp.torch;

namespace Unetr.Model.Data;

/// <summary>
/// How a NIfTI volume becomes a training tensor, applied once when a dataset loads it, in this order: read in
/// <see cref="AxisOrder"/>, resample to <see cref="TargetSpacing"/>, window intensities, crop to the foreground,
/// normalise. Each step is optional; <see cref="None"/> only reads.
/// </summary>
/// <remarks>
/// The order is MONAI's usual one (<c>Spacingd</c>, <c>ScaleIntensityRanged</c>, <c>CropForegroundd</c>), so the
/// foreground threshold applies to windowed values: after a window onto 0…1, threshold 0 drops everything at or
/// below the window's lower bound (air, in CT). Resampling and cropping change the voxel grid; a prediction on the
/// result maps back to the file's voxels through the <see cref="PreprocessingInverse"/> that <see cref="Prepare"/> returns.
/// </remarks>
public sealed record VolumePreprocessing
{
    private readonly IReadOnlyList<double>? _targetSpacing;

    /// <summary>Reads only: no resampling, windowing, cropping or normalisation, [D, H, W] = [x, y, z].</summary>
    public static VolumePreprocessing None { get; } = new();

    /// <summary>
    /// How NIfTI's (x, y, z) map onto the tensor's [D, H, W]: <see cref="VoxelAxisOrder.Xyz"/> (the default: nibabel's
    /// and MONAI's order, which MONAI-trained weights expect and <c>unetr infer</c> and <c>evaluate</c> use unless told
    /// otherwise) or <see cref="VoxelAxisOrder.Zyx"/> (the file's memory order). A network must be run in the order it
    /// was trained in. A label map written with <c>NiftiImage.FromTensor(header.ForLabelMap(), labels, AxisOrder)</c>
    /// lands on the image's voxels.
    /// </summary>
    public VoxelAxisOrder AxisOrder { get; init; } = VoxelAxisOrder.Xyz;

    /// <summary>Voxel spacing to resample to, along NIfTI x, y, z (header units, usually mm); <c>null</c> keeps the file's grid.</summary>
    public IReadOnlyList<double>? TargetSpacing
    {
        get => _targetSpacing;
        init
        {
            if (value is not null && (value.Count != 3 || value.Any(s => !(s > 0) || !double.IsFinite(s))))
            {
                throw new ArgumentException($"A target spacing is three positive numbers (x, y, z); got [{string.Join(", ", value)}].", nameof(value));
            }

            _targetSpacing = value?.ToArray();
        }
    }

    /// <summary>Intensity window and scaling (CT); <c>null</c> leaves intensities as read.</summary>
    public IntensityWindow? Window { get; init; }

    /// <summary>Cropping to the image's foreground box; <c>null</c> keeps the whole volume.</summary>
    public ForegroundCropping? CropForeground { get; init; }

    /// <summary>Z-score normalisation (MR); <c>null</c> skips it.</summary>
    public ZScoreNormalization? Normalize { get; init; }

    /// <summary>
    /// Applies the steps after reading to <paramref name="image"/> [C, D, H, W] and <paramref name="label"/> [D, H, W]
    /// (if any), both already in <see cref="AxisOrder"/>.
    /// </summary>
    /// <param name="image">The image as read.</param>
    /// <param name="label">Its label map, or <c>null</c> (an image to segment).</param>
    /// <param name="spacingXyz">The file's voxel spacing along x, y, z (<see cref="NiftiHeader.Spacing"/>).</param>
    /// <returns>New tensors in the caller's dispose scope: a float32 image and a label of the input's dtype.</returns>
    public (Tensor Image, Tensor? Label) Apply(Tensor image, Tensor? label, IReadOnlyList<double> spacingXyz)
    {
        var (processed, processedLabel, _) = Run(image, label, spacingXyz);
        return (processed, processedLabel);
    }

    /// <summary>
    /// Prepares an image to segment: applies the steps after reading to <paramref name="image"/> [C, D, H, W] (already
    /// in <see cref="AxisOrder"/>) and records how its voxel grid changed, so that a prediction on the result maps back
    /// onto the image's voxels with <see cref="PreprocessingInverse.Labels"/>.
    /// </summary>
    /// <param name="image">The image as read.</param>
    /// <param name="spacingXyz">The file's voxel spacing along x, y, z (<see cref="NiftiHeader.Spacing"/>).</param>
    /// <returns>A new float32 image in the caller's dispose scope, and the inverse of its grid steps.</returns>
    public (Tensor Image, PreprocessingInverse Inverse) Prepare(Tensor image, IReadOnlyList<double> spacingXyz)
    {
        var (processed, _, inverse) = Run(image, null, spacingXyz);
        return (processed, inverse);
    }

    private (Tensor Image, Tensor? Label, PreprocessingInverse Inverse) Run(Tensor image, Tensor? label, IReadOnlyList<double> spacingXyz)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(spacingXyz);
        image = image.to_type(float32);
        var originalSize = image.shape[1..];
        if (TargetSpacing is { } target)
        {
            (image, label) = Resampling.ToSpacing(image, label, InTensorOrder(spacingXyz), InTensorOrder(target));
        }

        var resampledSize = image.shape[1..];
        if (Window is { } window)
        {
            image = IntensityTransforms.ScaleRange(image, window.AMin, window.AMax, window.BMin, window.BMax, window.Clip);
        }

        var (cropStart, cropEnd) = (new long[resampledSize.Length], resampledSize);
        if (CropForeground is { } crop)
        {
            (cropStart, cropEnd) = ForegroundCrop.BoundingBox(image, crop.Threshold, crop.Margin);
            image = ForegroundCrop.Crop(image, cropStart, cropEnd, firstSpatialAxis: 1);
            label = label is null ? null : ForegroundCrop.Crop(label, cropStart, cropEnd, firstSpatialAxis: 0);
        }

        if (Normalize is { } normalize)
        {
            image = IntensityTransforms.Normalize(image, normalize.NonzeroOnly, normalize.ChannelWise);
        }

        return (image, label, new PreprocessingInverse(originalSize, resampledSize, cropStart, cropEnd));
    }

    /// <summary>
    /// <paramref name="xyz"/> (spacings along NIfTI x, y, z) in the tensor's [D, H, W] order. A spacing that is not
    /// positive and finite counts as 1, as nifti1_io treats it.
    /// </summary>
    public IReadOnlyList<double> InTensorOrder(IReadOnlyList<double> xyz)
    {
        ArgumentNullException.ThrowIfNull(xyz);
        var usable = xyz.Take(3).Select(s => s > 0 && double.IsFinite(s) ? s : 1).ToArray();
        return AxisOrder == VoxelAxisOrder.Zyx ? usable.Reverse().ToArray() : usable;
    }
}

/// <summary>MONAI's <c>ScaleIntensityRange</c>: [<paramref name="AMin"/>, <paramref name="AMax"/>] → [<paramref name="BMin"/>, <paramref name="BMax"/>], clamped when <paramref name="Clip"/>.</summary>
/// <param name="AMin">Input value mapped to <paramref name="BMin"/> (e.g. −175 HU).</param>
/// <param name="AMax">Input value mapped to <paramref name="BMax"/> (e.g. 250 HU); greater than <paramref name="AMin"/>.</param>
/// <param name="BMin">Output low end.</param>
/// <param name="BMax">Output high end.</param>
/// <param name="Clip">Clamp outputs to [<paramref name="BMin"/>, <paramref name="BMax"/>].</param>
public sealed record IntensityWindow(double AMin, double AMax, double BMin = 0, double BMax = 1, bool Clip = true);

/// <summary>MONAI's <c>CropForeground</c> settings: voxels with any channel above <paramref name="Threshold"/>, widened by <paramref name="Margin"/> voxels.</summary>
/// <param name="Threshold">Image values above this are foreground.</param>
/// <param name="Margin">Voxels kept around the box on every side.</param>
public sealed record ForegroundCropping(double Threshold = 0, int Margin = 0);

/// <summary>MONAI's <c>NormalizeIntensity</c> settings (see <see cref="IntensityTransforms.Normalize"/>).</summary>
/// <param name="NonzeroOnly">Statistics over non-zero voxels only; zeros stay 0.</param>
/// <param name="ChannelWise">Statistics per channel.</param>
public sealed record ZScoreNormalization(bool NonzeroOnly = false, bool ChannelWise = true);
