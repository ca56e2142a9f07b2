using System.Collections.Generic;
using Unetr.Generators.Model;

namespace Unetr.Generators.Describe
{
    /// <summary>
    /// Spatial sizes of a spec by level: level 0 is the full image, level <c>Stages</c> the token grid, each level
    /// halving every axis. Decoder width <c>Widths[k]</c> lives at level k.
    /// </summary>
    internal sealed class SpatialLevels
    {
        private readonly EquatableArray<int> imageSize;

        public SpatialLevels(UnetrSpec spec)
        {
            imageSize = spec.ImageSize;
            Dims = spec.ImageSize.Count;
            Stages = spec.Stages;
            Tokens = spec.Tokens;
        }

        public int Dims { get; }

        public int Stages { get; }

        public long Tokens { get; }

        /// <summary>Voxels (pixels in 2D) of one channel at <paramref name="level"/>.</summary>
        public long Voxels(int level)
        {
            long voxels = 1;
            foreach (var size in imageSize)
            {
                voxels = checked(voxels * (size >> level));
            }

            return voxels;
        }

        /// <summary>[channels, spatial sizes at <paramref name="level"/>…].</summary>
        public EquatableArray<long> Shape(long channels, int level)
        {
            var shape = new List<long> { channels };
            foreach (var size in imageSize)
            {
                shape.Add(size >> level);
            }

            return shape.ToEquatableArray();
        }

        /// <summary>[tokens, embed]: the shape of a token sequence.</summary>
        public EquatableArray<long> TokenShape(long embed) => new[] { Tokens, embed }.ToEquatableArray();

        /// <summary>The PyTorch class-name suffix for this many spatial axes: <c>Conv3d</c>, <c>BatchNorm2d</c>.</summary>
        public string Suffix => Dims + "d";
    }
}
