using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using TorchSharp;
using Unetr.Model.Data.Nifti;
using Unetr.Model.Data.Sources;
using Unetr.Model.Data.Transforms;
using static TorchSharp.torch;

namespace Unetr.Model.Data;

/// <summary>
/// Labelled NIfTI volumes, read and preprocessed once (on first use, or all at once with <see cref="LoadAll"/>) and
/// then kept in memory. Images become [C, D, H, W] float32 (a 4D file's volumes, e.g. the Decathlon's BraTS
/// modalities, and the files of a multi-file image become channels), labels [D, H, W] int64.
/// </summary>
/// <remarks>
/// Axis order is <see cref="VolumePreprocessing.AxisOrder"/>; with the default <see cref="VoxelAxisOrder.Xyz"/>, a
/// tensor index [d, h, w] is the file's voxel (x = d, y = h, z = w), and
/// <c>NiftiImage.FromTensor(header.ForLabelMap(), labels, VoxelAxisOrder.Xyz)</c> writes a label map back onto the
/// image's voxels and affine. Labels must be whole numbers from 0 to the class count − 1. Labels are cached as bytes when they fit.
/// Loading is thread-safe; <see cref="Get"/> returns copies, so callers may modify and dispose them.
/// </remarks>
public sealed class NiftiSegmentationDataset : ISegmentationDataset, IDisposable
{
    private readonly Lazy<Volume>[] _volumes;

    /// <summary>Describes the dataset; nothing is read until a volume is needed.</summary>
    /// <param name="volumes">The files of each volume.</param>
    /// <param name="classCount">Number of classes, background included, to check labels against; <c>null</c> accepts any non-negative label.</param>
    /// <param name="preprocessing">Applied to every volume as it is loaded; <c>null</c> is <see cref="VolumePreprocessing.None"/>.</param>
    /// <param name="nonFiniteVoxels">What to do with NaN and infinite image voxels: refuse the file (the default) or replace them with 0.</param>
    /// <param name="nonFiniteVoxelsReplaced">Told the file and the count each time non-finite voxels are replaced.</param>
    public NiftiSegmentationDataset(
        IReadOnlyList<VolumeFiles> volumes,
        int? classCount = null,
        VolumePreprocessing? preprocessing = null,
        NonFiniteVoxels nonFiniteVoxels = NonFiniteVoxels.Refuse,
        Action<string, long>? nonFiniteVoxelsReplaced = null)
    {
        ArgumentNullException.ThrowIfNull(volumes);
        if (classCount is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "A dataset has at least one class.");
        }

        Files = volumes.ToArray();
        ClassCount = classCount;
        Preprocessing = preprocessing ?? VolumePreprocessing.None;
        _volumes = Files.Select(files => new Lazy<Volume>(
            () => Volume.Load(files, ClassCount, Preprocessing, nonFiniteVoxels, nonFiniteVoxelsReplaced), LazyThreadSafetyMode.ExecutionAndPublication)).ToArray();
    }

    /// <inheritdoc />
    public int Count => Files.Count;

    /// <summary>The files of each volume, by index.</summary>
    public IReadOnlyList<VolumeFiles> Files { get; }

    /// <summary>The class count labels are checked against, if any.</summary>
    public int? ClassCount { get; }

    /// <summary>What is done to each volume after reading.</summary>
    public VolumePreprocessing Preprocessing { get; }

    /// <inheritdoc />
    /// <exception cref="DatasetException">The image files or the label map do not fit together, or a label is out of range.</exception>
    /// <exception cref="NiftiFormatException">A file is not a readable NIfTI image.</exception>
    public (Tensor Image, Tensor Label) Get(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        var volume = _volumes[index].Value;
        return (volume.Image.clone(), volume.Label.to_type(int64));
    }

    /// <summary>Loads every volume not yet loaded, so that file problems surface now rather than mid-training.</summary>
    public void LoadAll()
    {
        foreach (var volume in _volumes)
        {
            _ = volume.Value;
        }
    }

    /// <summary>The largest label value in the files (before preprocessing), loading every volume.</summary>
    public long HighestLabel()
    {
        LoadAll();
        return _volumes.Length == 0 ? 0 : _volumes.Max(volume => volume.Value.HighestLabel);
    }

    /// <summary>Frees the cached tensors.</summary>
    public void Dispose()
    {
        foreach (var volume in _volumes.Where(v => v.IsValueCreated))
        {
            volume.Value.Image.Dispose();
            volume.Value.Label.Dispose();
        }
    }

    /// <summary>Image channels a volume of <paramref name="files"/> will have, from the headers alone.</summary>
    public static long ChannelCount(VolumeFiles files)
    {
        ArgumentNullException.ThrowIfNull(files);
        return files.ImagePaths.Sum(path =>
        {
            var shape = NiftiFile.ReadHeader(path).TensorShape(VoxelAxisOrder.Zyx);
            return shape.Length == 4 ? shape[0] : 1;
        });
    }

    /// <summary>
    /// Reads one labelled volume as its files hold it, without preprocessing: the image [C, D, H, W] float32 (a 4D
    /// file's volumes and the files of a multi-file image become channels), the label map [D, H, W] int64, and the
    /// first image file's voxel spacing along x, y, z. The checks are those of <see cref="Get"/>.
    /// </summary>
    /// <param name="files">The volume's files.</param>
    /// <param name="order">How NIfTI axes become the tensors' [D, H, W].</param>
    /// <param name="classCount">Number of classes to check labels against, or <c>null</c> to accept any non-negative label.</param>
    /// <param name="nonFiniteVoxels">What to do with NaN and infinite image voxels: refuse the file (the default) or replace them with 0.</param>
    /// <param name="nonFiniteVoxelsReplaced">Told the file and the count when non-finite voxels are replaced.</param>
    /// <returns>New tensors in the caller's dispose scope.</returns>
    /// <exception cref="DatasetException">The image files or the label map do not fit together, or a label is out of range.</exception>
    /// <exception cref="NiftiFormatException">A file is not a readable NIfTI image, or has non-finite voxels that <paramref name="nonFiniteVoxels"/> refuses.</exception>
    public static (Tensor Image, Tensor Label, IReadOnlyList<double> SpacingXyz) ReadOriginal(
        VolumeFiles files,
        VoxelAxisOrder order,
        int? classCount = null,
        NonFiniteVoxels nonFiniteVoxels = NonFiniteVoxels.Refuse,
        Action<string, long>? nonFiniteVoxelsReplaced = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        IReadOnlyList<double>? spacing = null;
        var channels = new List<Tensor>();
        foreach (var path in files.ImagePaths)
        {
            var file = NiftiFile.Read(path);
            spacing ??= file.Header.Spacing;
            var image = file.ToTensor(order, ScalarType.Float32);
            if (NonFiniteVoxelCheck.Apply(image, path, nonFiniteVoxels) is > 0 and var replaced)
            {
                nonFiniteVoxelsReplaced?.Invoke(path, replaced);
            }

            image = image.dim() == 3 ? image.unsqueeze(0) : image;
            if (channels.Count > 0 && !channels[0].shape[1..].SequenceEqual(image.shape[1..]))
            {
                throw new DatasetException(
                    $"{path}: spatial size [{string.Join(", ", image.shape[1..])}] differs from {files.ImagePaths[0]}'s [{string.Join(", ", channels[0].shape[1..])}]; the files of one image are its channels on one grid.");
            }

            channels.Add(image);
        }

        var imageTensor = channels.Count == 1 ? channels[0] : cat(channels, 0);
        return (imageTensor, ReadLabel(files, imageTensor.shape[1..], classCount, order), spacing!);
    }

    private sealed record Volume(Tensor Image, Tensor Label, long HighestLabel)
    {
        public static Volume Load(
            VolumeFiles files, int? classCount, VolumePreprocessing preprocessing, NonFiniteVoxels nonFinite, Action<string, long>? replaced)
        {
            // Whoever triggers the load may be inside a dispose scope (a training step); the cache must outlive it.
            using var scope = NewDisposeScope();
            var (image, label, spacing) = ReadOriginal(files, preprocessing.AxisOrder, classCount, nonFinite, replaced);
            var highest = label.max().item<long>();
            Tensor processed;
            Tensor? processedLabel;
            try
            {
                (processed, processedLabel) = preprocessing.Apply(image, label, spacing);
            }
            catch (ResampledSizeException tooLarge)
            {
                throw new DatasetException($"{files.Describe()}: {tooLarge.Message}.");
            }

            var stored = highest <= byte.MaxValue ? processedLabel!.to_type(uint8) : processedLabel!;
            return new Volume(processed.contiguous().DetachFromDisposeScope(), stored.contiguous().DetachFromDisposeScope(), highest);
        }
    }

    private static Tensor ReadLabel(VolumeFiles files, long[] spatial, int? classCount, VoxelAxisOrder order)
    {
        var path = files.LabelPath;
        var values = NiftiFile.Read(path).ToTensor(order, ScalarType.Float64);
        if (values.dim() == 4 && values.shape[0] == 1)
        {
            values = values.squeeze(0);
        }

        if (!values.shape.SequenceEqual(spatial))
        {
            throw new DatasetException(
                $"{path}: label map of size [{string.Join(", ", values.shape)}] does not match its image {files.Describe()} of spatial size [{string.Join(", ", spatial)}].");
        }

        var fractional = values.masked_select(values.ne(values.round()));
        if (fractional.numel() > 0)
        {
            var value = fractional[0].item<double>();
            throw new DatasetException(string.Create(CultureInfo.InvariantCulture, $"{path}: label value {value} is not a whole number; a label map holds class indices."));
        }

        var lowest = values.min().item<double>();
        var highest = values.max().item<double>();
        if (lowest < 0)
        {
            throw new DatasetException(string.Create(CultureInfo.InvariantCulture, $"{path}: label value {lowest} is negative; class indices start at 0."));
        }

        if (highest >= classCount)
        {
            throw new DatasetException(
                string.Create(CultureInfo.InvariantCulture, $"{path}: label value {highest} is not a class; the dataset has {classCount} classes (0 to {classCount - 1})."));
        }

        return values.to_type(int64);
    }
}
