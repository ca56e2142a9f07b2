using System;
using System.Linq;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks.Monai
{
    /// <summary>
    /// einops' <c>b c (h p1) (w p2) (d p3) -> b (h w d) (p1 p2 p3 c)</c> (or its 2D form): cuts an image into
    /// patches and flattens each patch, channels fastest. No parameters.
    /// </summary>
    public sealed class PatchRearrange : nn.Module<Tensor, Tensor>
    {
        private readonly int spatialDims;
        private readonly long patchSize;

        /// <summary>Creates the rearrangement.</summary>
        /// <param name="spatialDims">2 or 3.</param>
        /// <param name="patchSize">Patch edge length.</param>
        public PatchRearrange(int spatialDims, long patchSize)
            : base(nameof(PatchRearrange))
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(spatialDims, 2);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(spatialDims, 3);
            this.spatialDims = spatialDims;
            this.patchSize = patchSize;
            RegisterComponents();
        }

        /// <summary>Turns <c>[B, C, *image]</c> into <c>[B, N, p^d·C]</c>.</summary>
        /// <param name="image">The image.</param>
        /// <returns>One row per patch, in row-major patch order.</returns>
        public override Tensor forward(Tensor image)
        {
            var (batch, channels) = (image.shape[0], image.shape[1]);
            var grid = Enumerable.Range(2, spatialDims).Select(axis => image.shape[axis] / patchSize).ToArray();

            // [B, C, g0, p, g1, p(, g2, p)]
            var split = new long[] { batch, channels }
                .Concat(grid.SelectMany(cells => new[] { cells, patchSize }))
                .ToArray();
            // [B, g0, g1(, g2), p, p(, p), C]
            var order = new long[] { 0 }
                .Concat(Enumerable.Range(0, spatialDims).Select(axis => 2L + 2 * axis))
                .Concat(Enumerable.Range(0, spatialDims).Select(axis => 3L + 2 * axis))
                .Append(1)
                .ToArray();
            var patches = grid.Aggregate(1L, (product, cells) => product * cells);
            var patchValues = channels * (long)Math.Pow(patchSize, spatialDims);
            return image.reshape(split).permute(order).reshape(batch, patches, patchValues);
        }
    }
}
