using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using Unetr.Model.Data;
using Unetr.Model.Data.Transforms;
using static TorchSharp.torch;

namespace Unetr.Model.Training;

/// <summary>
/// Draws training batches: volumes chosen uniformly with replacement, a crop of the network's window (uniformly
/// placed, or centred on foreground or background as <see cref="TrainingOptions.ForegroundCropProbability"/> says;
/// volumes smaller than the window are padded with 0), random flips, 90° rotations and intensity scale and shift. Every random choice comes from the <see cref="SeededRandom"/>
/// passed in, so the same generator state gives the same batch.
/// </summary>
internal sealed class AugmentedBatches
{
    private readonly ISegmentationDataset _data;
    private readonly long[] _window;
    private readonly TrainingOptions _options;

    /// <param name="data">The training volumes.</param>
    /// <param name="window">Spatial size of the network's input (D, H, W or H, W).</param>
    /// <param name="options">Batch size and augmentation settings.</param>
    public AugmentedBatches(ISegmentationDataset data, IReadOnlyList<long> window, TrainingOptions options)
    {
        _data = data;
        _window = window.ToArray();
        _options = options;
    }

    /// <summary>A batch in the caller's dispose scope: images [B, C, window…] and labels [B, window…].</summary>
    public (Tensor Images, Tensor Labels) Next(SeededRandom random)
    {
        var images = new List<Tensor>(_options.BatchSize);
        var labels = new List<Tensor>(_options.BatchSize);
        for (var i = 0; i < _options.BatchSize; i++)
        {
            var (image, label) = _data.Get(random.Next(_data.Count));
            (image, label) = Crop(image, label, random);
            (image, label) = FlipAndRotate(image, label, random);
            var scale = 1 + random.NextDouble(-_options.IntensityScale, _options.IntensityScale);
            var shift = random.NextDouble(-_options.IntensityShift, _options.IntensityShift);
            images.Add(image * scale + shift);
            labels.Add(label);
        }

        return (stack(images), stack(labels));
    }

    private (Tensor Image, Tensor Label) Crop(Tensor image, Tensor label, SeededRandom random)
    {
        if (label.dim() != _window.Length)
        {
            throw new ArgumentException(
                $"A training volume of size [{string.Join(", ", label.shape)}] has {label.dim()} spatial axes; the network's window [{string.Join(", ", _window)}] has {_window.Length}.");
        }

        if (_options.ForegroundCropProbability is { } foreground)
        {
            return BalancedCrop.Sample(image, label, _window, foreground, random);
        }

        (image, label) = BalancedCrop.PadToWindow(image, label, _window);
        var spatial = label.shape;
        for (var axis = 0; axis < _window.Length; axis++)
        {
            // Draw an offset for every axis, even one that fits exactly, so a dataset's volume size does not change
            // which random numbers later choices receive.
            var start = random.Next((int)(spatial[axis] - _window[axis] + 1));
            image = image.narrow(axis + 1, start, _window[axis]);
            label = label.narrow(axis, start, _window[axis]);
        }

        return (image, label);
    }

    private (Tensor Image, Tensor Label) FlipAndRotate(Tensor image, Tensor label, SeededRandom random)
    {
        for (var axis = 0; axis < _window.Length; axis++)
        {
            if (random.Chance(_options.FlipProbability))
            {
                image = image.flip(axis + 1);
                label = label.flip(axis);
            }
        }

        var turns = random.Chance(_options.Rotate90Probability) ? 1 + random.Next(3) : 0;
        var last = _window.Length - 1;
        if (turns > 0 && _window[last] == _window[last - 1])
        {
            image = image.rot90(turns, (last, last + 1));
            label = label.rot90(turns, (last - 1, last));
        }

        return (image, label);
    }
}
