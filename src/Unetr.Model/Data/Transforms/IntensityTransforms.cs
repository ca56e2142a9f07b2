using System;
using TorchSharp;
using static TorchSharp.torch;

namespace Unetr.Model.Data.Transforms;

/// <summary>Intensity windowing and normalisation of an image [C, spatial…], as MONAI's <c>ScaleIntensityRange</c> and <c>NormalizeIntensity</c>.</summary>
public static class IntensityTransforms
{
    /// <summary>
    /// Maps [<paramref name="aMin"/>, <paramref name="aMax"/>] linearly onto [<paramref name="bMin"/>, <paramref name="bMax"/>]
    /// and, with <paramref name="clip"/>, clamps the result to that range: CT windowing, e.g. −175…250 HU → 0…1.
    /// </summary>
    /// <returns>A new float32 tensor.</returns>
    /// <exception cref="ArgumentException"><paramref name="aMax"/> is not greater than <paramref name="aMin"/>, or a bound is not finite.</exception>
    public static Tensor ScaleRange(Tensor image, double aMin, double aMax, double bMin, double bMax, bool clip = true)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (!double.IsFinite(aMin) || !double.IsFinite(aMax) || !double.IsFinite(bMin) || !double.IsFinite(bMax))
        {
            throw new ArgumentException($"Intensity range bounds must be finite; got a {aMin}..{aMax} → b {bMin}..{bMax}.");
        }

        if (!(aMax > aMin))
        {
            throw new ArgumentException($"The intensity range needs a_max > a_min; got a_min {aMin}, a_max {aMax}.");
        }

        using var scope = NewDisposeScope();
        var scaled = (image.to_type(float32) - aMin) / (aMax - aMin) * (bMax - bMin) + bMin;
        if (clip)
        {
            scaled = scaled.clamp(Math.Min(bMin, bMax), Math.Max(bMin, bMax));
        }

        return scaled.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Z-score normalisation: subtracts the mean and divides by the standard deviation (population, not sample; a
    /// deviation of 0 counts as 1, so a constant image only loses its mean).
    /// </summary>
    /// <param name="image">[C, spatial…].</param>
    /// <param name="nonzeroOnly">Statistics over non-zero voxels only, and only they change; zeros (outside a skull-stripped brain, say) stay 0.</param>
    /// <param name="channelWise">Statistics per channel rather than over the whole tensor.</param>
    /// <returns>A new float32 tensor.</returns>
    public static Tensor Normalize(Tensor image, bool nonzeroOnly = false, bool channelWise = true)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.dim() < 2)
        {
            throw new ArgumentException($"Expected an image [C, spatial…]; got shape [{string.Join(", ", image.shape)}].", nameof(image));
        }

        using var scope = NewDisposeScope();
        var values = image.to_type(float64);
        var channels = channelWise ? values.unbind(0) : new[] { values };
        var normalised = new Tensor[channels.Length];
        for (var c = 0; c < channels.Length; c++)
        {
            var channel = channels[c];
            var mask = nonzeroOnly ? channel.ne(0) : ones_like(channel, dtype: @bool);
            var selected = channel.masked_select(mask);
            if (selected.numel() == 0)
            {
                normalised[c] = channel;
                continue;
            }

            var mean = selected.mean();
            var deviation = selected.std(unbiased: false);
            deviation = where(deviation.eq(0), ones_like(deviation), deviation);
            normalised[c] = where(mask, (channel - mean) / deviation, channel);
        }

        var result = channelWise ? stack(normalised) : normalised[0];
        return result.to_type(float32).MoveToOuterDisposeScope();
    }
}
