using static TorchSharp.torch;

namespace Unetr.Model.Blocks
{
    /// <summary>Splits features into attention heads and merges them back.</summary>
    internal static class AttentionHeads
    {
        /// <summary><c>[B, N, H·D]</c> → <c>[B, H, N, D]</c>; features are ordered [head][head_dim].</summary>
        public static Tensor Split(Tensor features, long heads)
        {
            var (batch, tokens, width) = (features.shape[0], features.shape[1], features.shape[2]);
            return features.view(batch, tokens, heads, width / heads).transpose(1, 2);
        }

        /// <summary><c>[B, H, N, D]</c> → <c>[B, N, H·D]</c>, the inverse of <see cref="Split"/>.</summary>
        public static Tensor Merge(Tensor perHead)
        {
            var (batch, heads, tokens, headDim) = (perHead.shape[0], perHead.shape[1], perHead.shape[2], perHead.shape[3]);
            return perHead.transpose(1, 2).reshape(batch, tokens, heads * headDim);
        }

        /// <summary>
        /// softmax(q·kᵀ / √head_dim) · v per head, with dropout on the attention weights while training.
        /// </summary>
        public static Tensor Attend(Tensor query, Tensor key, Tensor value, double dropout, bool training) =>
            nn.functional.scaled_dot_product_attention(query, key, value, p: training ? dropout : 0.0);
    }
}
