using System.Globalization;
using Unetr.Model.Data.Nifti;
using static TorchSharp.torch;

namespace Unetr.Model.Data;

/// <summary>What reading a volume for training, evaluation or inference does with NaN and infinite voxels.</summary>
public enum NonFiniteVoxels
{
    /// <summary>Refuse the file with a <see cref="NiftiFormatException"/> that counts them (the default): one NaN turns every loss and prediction into NaN.</summary>
    Refuse,

    /// <summary>Replace each with 0, and report how many.</summary>
    Zero,
}

/// <summary>Applies a <see cref="NonFiniteVoxels"/> policy to the values of one file.</summary>
public static class NonFiniteVoxelCheck
{
    /// <summary>Counts the NaN and infinite values in <paramref name="values"/>; refuses them or sets them to 0 in place.</summary>
    /// <param name="values">A volume as read from <paramref name="path"/>, floating point; changed in place under <see cref="NonFiniteVoxels.Zero"/>.</param>
    /// <param name="path">The file, for the message.</param>
    /// <param name="policy">What to do with them.</param>
    /// <returns>The number of values replaced (0 when all are finite).</returns>
    /// <exception cref="NiftiFormatException">There are non-finite values and <paramref name="policy"/> is <see cref="NonFiniteVoxels.Refuse"/>.</exception>
    public static long Apply(Tensor values, string path, NonFiniteVoxels policy)
    {
        System.ArgumentNullException.ThrowIfNull(values);
        using var scope = NewDisposeScope();
        var nonFinite = values.isfinite().logical_not();
        var count = nonFinite.sum().item<long>();
        if (count == 0)
        {
            return 0;
        }

        if (policy == NonFiniteVoxels.Refuse)
        {
            var (nan, positive, negative) = (values.isnan().sum().item<long>(), values.isposinf().sum().item<long>(), values.isneginf().sum().item<long>());
            throw new NiftiFormatException(path, string.Create(CultureInfo.InvariantCulture,
                $"{count:N0} non-finite voxels ({nan:N0} NaN, {positive:N0} +inf, {negative:N0} -inf); repair the image, or replace them with 0 (unetr: --non-finite-voxels zero; library: NonFiniteVoxels.Zero)"));
        }

        values.masked_fill_(nonFinite, 0);
        return count;
    }
}
