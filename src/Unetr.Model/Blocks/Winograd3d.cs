using System;
using System.Collections.Generic;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks
{
    /// <summary>
    /// A stride-1, padding-1 3×3×3 convolution by Winograd's minimal filtering F(2×2×2, 3×3×3), for inference: every
    /// 2×2×2 block of outputs is computed from a 4×4×4 block of the padded input with 64 products per (input, output)
    /// channel pair instead of 216. The same function as <c>conv3d(input, weight, bias, padding: 1)</c> up to rounding;
    /// no gradients flow through it.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Per axis, with F(2, 3)'s matrices, the input tile d₀…d₃ becomes d₀ − d₂, d₁ + d₂, d₂ − d₁, d₁ − d₃ (Bᵀd), the kernel
    /// g₀…g₂ becomes g₀, (g₀ + g₁ + g₂)/2, (g₀ − g₁ + g₂)/2, g₂ (Gg), and the 4 products m₀…m₃ become the two outputs
    /// m₀ + m₁ + m₂ and m₁ − m₂ − m₃ (Aᵀm). In 3D each transform is applied along depth, height and width in turn.
    /// </para>
    /// <para>
    /// The input is transformed channels-last, <c>[tiles, 64, C]</c>, so that the 64 products per tile are one grouped
    /// 1×1×1 convolution (64 groups; oneDNN's, faster than libtorch's <c>bmm</c> of the same products, docs/speed-notes.md,
    /// eighth session) with the transformed kernel <c>[64·C', C]</c> (<see cref="TransformWeight"/>,
    /// computed once per kernel); its output, channels-last too, is transformed back and written into the row-major
    /// output. The transformed input and the products are each 8× the data they stand for, so the volume goes through in
    /// depth slabs of <c>tilesPerSlab</c> tile planes (two output planes each), and batch elements one at a time.
    /// </para>
    /// </remarks>
    public static class Winograd3d
    {
        /// <summary>Transform positions per tile: 4 along each of the three axes.</summary>
        public const int Positions = 64;

        // oneDNN's grouped 1×1×1 convolution (libtorch 2.10) returned wrong products for 512 or more output channels per
        // group over fewer than 64 positions (channels-last; row-major too at one position), and died with SIGFPE for 1,024
        // input channels per group: wider inputs go in chunks whose products are summed, and slabs of fewer tiles or
        // groups of more output channels go through libtorch's bmm (docs/speed-notes.md, eighth session).
        private const long MaximumGroupChannels = 512;
        private const long MinimumGroupedTiles = 64;

        /// <summary>The transform of the kernel (the output-channel bias is added at this position, whose output weights are all 1).</summary>
        private const int AllOnesPosition = (1 * 16) + (1 * 4) + 1;

        /// <summary>
        /// G g Gᵀ along the three kernel axes: <c>[C', C, 3, 3, 3]</c> → <c>[64, C', C]</c>, position index
        /// 16·(width position) + 4·(height position) + depth position, as <see cref="Convolve"/> lays out the input.
        /// Computed in double precision, returned in the kernel's dtype and device.
        /// </summary>
        /// <param name="weight">A 3×3×3 convolution kernel.</param>
        public static Tensor TransformWeight(Tensor weight)
        {
            ArgumentNullException.ThrowIfNull(weight);
            var shape = weight.shape;
            if (shape.Length != 5 || shape[2] != 3 || shape[3] != 3 || shape[4] != 3)
            {
                throw new ArgumentException($"Winograd F(2³, 3³) needs a [out, in, 3, 3, 3] kernel, got [{string.Join(", ", shape)}].", nameof(weight));
            }

            using var scope = NewDisposeScope();
            using var gradients = no_grad();
            var g = tensor(new double[] { 1, 0, 0, 0.5, 0.5, 0.5, 0.5, -0.5, 0.5, 0, 0, 1 }, new long[] { 4, 3 }, ScalarType.Float64, weight.device);
            var transformed = einsum("pi,qj,rk,ocijk->rqpoc", g, g, g, weight.detach().to(ScalarType.Float64));
            return transformed.reshape(Positions, shape[0], shape[1]).to(weight.dtype).contiguous().MoveToOuterDisposeScope();
        }

        /// <summary>
        /// <c>conv3d(input, weight, bias, stride: 1, padding: 1)</c> for the kernel whose <see cref="TransformWeight"/> is
        /// <paramref name="transformedWeight"/>.
        /// </summary>
        /// <param name="input"><c>[N, C, D, H, W]</c>, any sizes of at least 1.</param>
        /// <param name="transformedWeight"><c>[64, C', C]</c> from <see cref="TransformWeight"/>.</param>
        /// <param name="bias"><c>[C']</c> or <c>null</c>.</param>
        /// <param name="tilesPerSlab">Tile planes (two output depth planes each) transformed and multiplied at once; at least 1.</param>
        /// <returns><c>[N, C', D, H, W]</c>, contiguous.</returns>
        public static Tensor Convolve(Tensor input, Tensor transformedWeight, Tensor? bias, long tilesPerSlab)
        {
            ArgumentNullException.ThrowIfNull(input);
            ArgumentNullException.ThrowIfNull(transformedWeight);
            ArgumentOutOfRangeException.ThrowIfLessThan(tilesPerSlab, 1);
            var shape = input.shape;
            var kernelShape = transformedWeight.shape;
            if (shape.Length != 5 || kernelShape.Length != 3 || kernelShape[0] != Positions || kernelShape[2] != shape[1])
            {
                throw new ArgumentException(
                    $"Winograd F(2³, 3³) needs an [N, C, D, H, W] input and a [64, out, C] transformed kernel, got [{string.Join(", ", shape)}] and [{string.Join(", ", kernelShape)}].");
            }

            long batch = shape[0], depth = shape[2], height = shape[3], width = shape[4], outChannels = kernelShape[1];
            long depthTiles = (depth + 1) / 2, heightTiles = (height + 1) / 2, widthTiles = (width + 1) / 2;

            using var gradients = no_grad();
            // Input channels in chunks of at most MaximumGroupChannels, for oneDNN's sake (see there).
            var chunks = new List<(long First, long Count, Tensor Kernel)>();
            for (var first = 0L; first < shape[1]; first += MaximumGroupChannels)
            {
                var count = Math.Min(MaximumGroupChannels, shape[1] - first);
                var part = count == shape[1] ? transformedWeight : transformedWeight.narrow(2, first, count).contiguous();
                chunks.Add((first, count, part.view(Positions * outChannels, count, 1, 1, 1)));
            }

            var output = empty(new[] { batch, outChannels, depth, height, width }, input.dtype, input.device);
            for (var n = 0L; n < batch; n++)
            {
                using var scope = NewDisposeScope();

                // The bias added at one position, whose output weights are all 1, reaches all 8 outputs of a tile.
                Tensor? positionBias = null;
                if (bias is not null)
                {
                    positionBias = zeros(Positions * outChannels, input.dtype, input.device);
                    positionBias.narrow(0, AllOnesPosition * outChannels, outChannels).copy_(bias);
                }

                // Channels last, one zero plane before and after every axis and one more after an odd size, so that the
                // tiles cover it: [2t+2, 2h+2, 2w+2, C].
                var padded = zeros(new[] { (2 * depthTiles) + 2, (2 * heightTiles) + 2, (2 * widthTiles) + 2, shape[1] }, input.dtype, input.device);
                // (A 2D transpose first: libtorch copies a [C, D·H·W] → [D·H·W, C] transpose several times faster than a 4D permutation.)
                var channelsLast = input[n].reshape(shape[1], -1).t().contiguous().view(depth, height, width, shape[1]);
                padded.narrow(0, 1, depth).narrow(1, 1, height).narrow(2, 1, width).copy_(channelsLast);
                channelsLast.Dispose();
                for (var first = 0L; first < depthTiles; first += tilesPerSlab)
                {
                    using var slabScope = NewDisposeScope();
                    var tiles = Math.Min(tilesPerSlab, depthTiles - first);
                    var slab = padded.narrow(0, 2 * first, (2 * tiles) + 2);
                    var blocks = ConvolveSlab(slab, chunks, positionBias, tiles, heightTiles, widthTiles);

                    // [t, h, w, 2 (width), 2 (height), 2 (depth), C'] → [C', t, 2, h, 2, w, 2], written into the output's
                    // planes; an odd size first goes through [C', 2t, 2h, 2w] to drop the plane beyond it.
                    var planes = Math.Min(2 * tiles, depth - (2 * first));
                    var target = output[n].narrow(1, 2 * first, planes);
                    var arranged = blocks.permute(6, 0, 5, 1, 4, 2, 3);
                    if (planes == 2 * tiles && height == 2 * heightTiles && width == 2 * widthTiles)
                    {
                        target.view(outChannels, tiles, 2, heightTiles, 2, widthTiles, 2).copy_(arranged);
                    }
                    else
                    {
                        var volume = arranged.reshape(outChannels, 2 * tiles, 2 * heightTiles, 2 * widthTiles);
                        target.copy_(volume.narrow(1, 0, planes).narrow(2, 0, height).narrow(3, 0, width));
                    }
                }
            }

            return output;
        }

        // [2t+2, 2h+2, 2w+2, C] → 64 products per tile, [t·h·w, 64·C'] (summed over chunks of input channels) → Aᵀm along
        // width, height, depth → [t, h, w, 2, 2, 2, C']. Each step's input is freed once the next exists: the largest are 8×
        // the slab's input and 8× its output.
        private static Tensor ConvolveSlab(Tensor slab, List<(long First, long Count, Tensor Kernel)> chunks, Tensor? positionBias, long tiles, long heightTiles, long widthTiles)
        {
            Tensor? products = null;
            foreach (var (first, count, kernel) in chunks)
            {
                var part = Multiply(slab.narrow(3, first, count), kernel, products is null ? positionBias : null, tiles, heightTiles, widthTiles);
                if (products is null)
                {
                    products = part;
                }
                else
                {
                    products.add_(part);
                    part.Dispose();
                }
            }

            var outChannels = chunks[0].Kernel.shape[0] / Positions;
            using var tileMajor = products!.squeeze(0).permute(1, 2, 3, 0).reshape(tiles * heightTiles * widthTiles, 4, 4, 4, outChannels);
            products.Dispose();
            using var alongWidth = TransformOutputAxis(tileMajor, axis: 1);
            tileMajor.Dispose();
            using var alongHeight = TransformOutputAxis(alongWidth, axis: 2);
            alongWidth.Dispose();
            return TransformOutputAxis(alongHeight, axis: 3).view(tiles, heightTiles, widthTiles, 2, 2, 2, outChannels);
        }

        // [2t+2, 2h+2, 2w+2, C] → Bᵀd along depth, height, width → channels-last [1, 64·C, t, h, w] → [1, 64·C', t, h, w].
        private static Tensor Multiply(Tensor slab, Tensor groupedKernel, Tensor? positionBias, long tiles, long heightTiles, long widthTiles)
        {
            var channels = slab.shape[3];
            using var byDepth = TransformInputAxis(slab, axis: 0, tiles);
            using var byHeight = TransformInputAxis(byDepth, axis: 1, heightTiles);
            byDepth.Dispose();
            using var transformed = TransformInputAxis(byHeight, axis: 2, widthTiles);
            byHeight.Dispose();

            // The 64 products are a grouped 1×1×1 convolution of the channels-last input (oneDNN's fastest matrix
            // product here, and its output is channels-last too): group p multiplies position p's [C', C] kernel with its [C, tiles].
            var outChannels = groupedKernel.shape[0] / Positions;
            var tileCount = tiles * heightTiles * widthTiles;
            if (tileCount >= MinimumGroupedTiles && outChannels <= MaximumGroupChannels)
            {
                using var positions = transformed.view(1, tiles, heightTiles, widthTiles, Positions * channels).permute(0, 4, 1, 2, 3);
                return nn.functional.conv3d(positions, groupedKernel, positionBias, groups: Positions);
            }

            // Elsewhere libtorch's batched product, [64, C', C] × [64, C, tiles], laid out as the convolution's output.
            using var byPosition = transformed.view(tileCount, Positions, channels).permute(1, 2, 0);
            using var products = groupedKernel.view(Positions, outChannels, channels).bmm(byPosition);
            if (positionBias is not null)
            {
                products.add_(positionBias.view(Positions, outChannels, 1));
            }

            return products.permute(2, 0, 1).reshape(1, tiles, heightTiles, widthTiles, Positions * outChannels).permute(0, 4, 1, 2, 3);
        }

        // Bᵀd along `axis` (size 2·tiles + 2, tile i reads positions 2i…2i+3), the 4 rows stacked as axis 3, before the
        // rows of the axes already transformed: [.., 2n+2, .., rows…, C] → [.., n, .., 4, rows…, C].
        private static Tensor TransformInputAxis(Tensor values, long axis, long tiles)
        {
            using var scope = NewDisposeScope();
            var d0 = values.slice(axis, 0, (2 * tiles) - 1, 2);
            var d1 = values.slice(axis, 1, 2 * tiles, 2);
            var d2 = values.slice(axis, 2, (2 * tiles) + 1, 2);
            var d3 = values.slice(axis, 3, (2 * tiles) + 2, 2);
            return stack(new[] { d0 - d2, d1 + d2, d2 - d1, d1 - d3 }, 3).MoveToOuterDisposeScope();
        }

        // Aᵀm along `axis` (size 4 → 2): m₀ + m₁ + m₂ and m₁ − m₂ − m₃.
        private static Tensor TransformOutputAxis(Tensor products, long axis)
        {
            using var scope = NewDisposeScope();
            var m = products.unbind(axis);
            var sum = m[1] + m[2];
            var difference = m[1] - m[2];
            return stack(new[] { sum.add_(m[0]), difference.sub_(m[3]) }, axis).MoveToOuterDisposeScope();
        }
    }
}
