using System;
using System.Collections.Generic;
using TorchSharp;
using Unetr.Model.Data;
using static TorchSharp.torch;

namespace Unetr.Model.Inference;

/// <summary>
/// Segments volumes as they are read from files: preprocesses the image as the network was trained
/// (<see cref="VolumePreprocessing.Prepare"/>), runs the network, and maps the prediction back onto the image's own
/// voxels (<see cref="Data.Transforms.PreprocessingInverse.Labels"/>), so that a label map written with the image's
/// header lands on its voxels and Dice can be taken against the file's own labels.
/// </summary>
public sealed class VolumeSegmenter
{
    private readonly Func<Tensor, Tensor> _logits;

    /// <summary>Creates a segmenter.</summary>
    /// <param name="preprocessing">What was done to the training volumes after reading.</param>
    /// <param name="logits">
    /// Maps an image batch [1, C, spatial…] of any size to logits [1, K, spatial…], e.g.
    /// <c>image => new SlidingWindowInferer(window).Run(image, network.call)</c> with the network in eval mode.
    /// </param>
    public VolumeSegmenter(VolumePreprocessing preprocessing, Func<Tensor, Tensor> logits)
    {
        ArgumentNullException.ThrowIfNull(preprocessing);
        ArgumentNullException.ThrowIfNull(logits);
        Preprocessing = preprocessing;
        _logits = logits;
    }

    /// <summary>What is done to an image before the network sees it.</summary>
    public VolumePreprocessing Preprocessing { get; }

    /// <summary>Segments one image, without gradients.</summary>
    /// <param name="image">[C, D, H, W] as read, in <see cref="VolumePreprocessing.AxisOrder"/>.</param>
    /// <param name="spacingXyz">The file's voxel spacing along x, y, z.</param>
    /// <returns>A new int64 label map [D, H, W] on <paramref name="image"/>'s grid, in the caller's dispose scope.</returns>
    public Tensor Segment(Tensor image, IReadOnlyList<double> spacingXyz)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (prepared, inverse) = Preprocessing.Prepare(image, spacingXyz);
        var logits = _logits(prepared.unsqueeze(0));
        return inverse.Labels(logits.squeeze(0).cpu()).MoveToOuterDisposeScope();
    }
}
