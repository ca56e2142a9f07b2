using Unetr.Generators.Model;

namespace Unetr.Generators.Describe
{
    /// <summary>
    /// The cost of single PyTorch layers, the only place that knows the counting conventions
    /// (see <see cref="Shapes.CostReport"/>). All sizes are per sample; products are checked.
    /// </summary>
    internal static class LayerCost
    {
        /// <summary>A convolution with padding (k−1)/2 and stride 1 (or kernel = stride, for a patch projection).</summary>
        public static Cost Conv(SpatialLevels levels, long inChannels, long outChannels, int kernel, long outVoxels, bool bias)
        {
            var weight = checked(outChannels * inChannels * Power(kernel, levels.Dims));
            return new Cost(
                checked(weight + (bias ? outChannels : 0)),
                checked(weight * outVoxels),
                checked(weight * outVoxels));
        }

        /// <summary>A transposed convolution with kernel = stride = 2, which doubles every axis.</summary>
        public static Cost ConvTranspose(SpatialLevels levels, long inChannels, long outChannels, long inVoxels, bool bias)
        {
            var kernelVolume = Power(2, levels.Dims);
            var weight = checked(inChannels * outChannels * kernelVolume);
            return new Cost(
                checked(weight + (bias ? outChannels : 0)),
                checked(weight * inVoxels),
                checked(weight * inVoxels * kernelVolume));
        }

        /// <summary>A Linear layer applied to every token.</summary>
        public static Cost Linear(long inFeatures, long outFeatures, long tokens, bool bias)
        {
            var weight = checked(inFeatures * outFeatures);
            return new Cost(checked(weight + (bias ? outFeatures : 0)), checked(weight * tokens), weight);
        }

        /// <summary>A LayerNorm with affine weight and bias.</summary>
        public static Cost LayerNorm(long features) => new Cost(checked(2 * features), 0, features);

        /// <summary>The decoder norm: BatchNorm has weight and bias (running statistics are buffers); InstanceNorm has none.</summary>
        public static Cost DecoderNorm(Norm norm, long channels) =>
            norm == Norm.Batch ? new Cost(checked(2 * channels), 0, channels) : Cost.Zero;

        /// <summary>The two attention products of one block, QKᵀ and AV, each N·N·E whatever the head count.</summary>
        public static Cost AttentionProducts(long tokens, long embed) => new Cost(0, checked(2 * tokens * tokens * embed), 0);

        /// <summary>
        /// A pre-norm transformer block on <paramref name="tokens"/> tokens: LayerNorm, attention (its
        /// <paramref name="projections"/> and the two products), LayerNorm, a two-layer MLP with biases.
        /// </summary>
        public static Cost PreNormBlock(long embed, long mlp, long tokens, Cost projections) =>
            LayerNorm(embed)
            + projections
            + AttentionProducts(tokens, embed)
            + LayerNorm(embed)
            + Linear(embed, mlp, tokens, bias: true)
            + Linear(mlp, embed, tokens, bias: true);

        /// <summary>A bare parameter tensor that no layer multiplies (the position embeddings).</summary>
        public static Cost Parameter(long elements) => new Cost(elements, 0, 0);

        /// <summary>
        /// The patch projection and position embeddings: a convolution with kernel = stride = patch size, or the
        /// patch flattened and fed to a Linear ("perceptron"); both give one E-vector per token.
        /// </summary>
        public static Cost PatchEmbedding(UnetrSpec spec, SpatialLevels levels)
        {
            var projection = spec.Projection == Projection.Perceptron
                ? Linear(checked(spec.InChannels * Power(spec.PatchSize, levels.Dims)), spec.EmbedDim, levels.Tokens, bias: true)
                : Conv(levels, spec.InChannels, spec.EmbedDim, spec.PatchSize, levels.Tokens, bias: true);
            return projection + Parameter(checked(levels.Tokens * spec.EmbedDim));
        }

        private static long Power(long value, int exponent)
        {
            long result = 1;
            for (var i = 0; i < exponent; i++)
            {
                result = checked(result * value);
            }

            return result;
        }
    }
}
