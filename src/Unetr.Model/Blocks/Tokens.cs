using System;
using System.Linq;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks
{
    /// <summary>
    /// Conversions between a patch grid of feature vectors (<c>[B, E, g0, g1(, g2)]</c>) and a token
    /// sequence (<c>[B, N, E]</c>). Patches are numbered row-major: the first spatial axis varies slowest.
    /// </summary>
    public static class Tokens
    {
        /// <summary>The number of patches along each axis of an image.</summary>
        /// <param name="imageSize">Image size per spatial axis.</param>
        /// <param name="patchSize">Patch edge length, the same along every axis.</param>
        /// <returns><c>imageSize[i] / patchSize</c> per axis.</returns>
        /// <exception cref="ArgumentException">An axis is not a positive multiple of the patch size.</exception>
        public static long[] PatchGrid(long[] imageSize, long patchSize)
        {
            ArgumentNullException.ThrowIfNull(imageSize);
            ArgumentOutOfRangeException.ThrowIfLessThan(patchSize, 1);
            if (imageSize.Any(size => size < patchSize || size % patchSize != 0))
            {
                throw new ArgumentException(
                    $"Image size [{string.Join(", ", imageSize)}] must be a positive multiple of the patch size {patchSize} along every axis.",
                    nameof(imageSize));
            }

            return imageSize.Select(size => size / patchSize).ToArray();
        }

        /// <summary>
        /// Reshapes tokens <c>[B, N, E]</c> into a feature volume <c>[B, E, g0, g1(, g2)]</c>; the same as
        /// PyTorch's <c>x.transpose(-1, -2).reshape(B, E, *grid)</c>.
        /// </summary>
        /// <param name="tokens">A token sequence whose length N is the product of <paramref name="grid"/>.</param>
        /// <param name="grid">Patches per spatial axis.</param>
        /// <returns>A new contiguous tensor.</returns>
        public static Tensor ToVolume(Tensor tokens, long[] grid)
        {
            ArgumentNullException.ThrowIfNull(tokens);
            ArgumentNullException.ThrowIfNull(grid);
            var shape = new long[2 + grid.Length];
            shape[0] = tokens.shape[0];
            shape[1] = tokens.shape[2];
            grid.CopyTo(shape, 2);
            return tokens.transpose(1, 2).reshape(shape);
        }

        /// <summary>
        /// Flattens a feature volume <c>[B, E, g0, g1(, g2)]</c> into tokens <c>[B, N, E]</c>, the inverse of
        /// <see cref="ToVolume"/>; PyTorch's <c>x.flatten(2).transpose(-1, -2)</c>.
        /// </summary>
        /// <param name="volume">A feature volume.</param>
        /// <returns>A (non-contiguous) view of the volume as tokens.</returns>
        public static Tensor FromVolume(Tensor volume)
        {
            ArgumentNullException.ThrowIfNull(volume);
            return volume.flatten(2).transpose(1, 2);
        }
    }
}
