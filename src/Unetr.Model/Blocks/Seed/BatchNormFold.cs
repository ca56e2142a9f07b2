using System;
using TorchSharp.Modules;
using Unetr.Model.Runtime;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks.Seed
{
    /// <summary>
    /// Convolution, BatchNorm and ReLU in evaluation mode as one convolution whose weight and bias have the BatchNorm
    /// folded in (W·s and (b − μ)·s + β per output channel, s = γ / √(σ² + ε)), then the ReLU in place: one pass over the
    /// output instead of three. The same function up to rounding.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The folded tensors are cached, never registered, so the <c>state_dict</c> is untouched. A cached fold is used only
    /// while it still describes the parameters: the same tensor objects (a move to another device or dtype makes new
    /// ones), BatchNorm's four vectors and the convolution's bias equal to the copies taken when folding, and 1,024
    /// elements of the weight spread over it equal too. An optimiser step or a loaded checkpoint changes at least the
    /// vectors; an in-place change of only the convolution weight that spares every sampled element would be missed,
    /// so <see cref="Invalidate"/> exists for code that does that, and the blocks call it whenever they run in training mode.
    /// </para>
    /// <para>
    /// Used only when <see cref="Applies"/> says so: evaluation mode, no gradient being recorded, and
    /// <see cref="CpuRoutingPolicy.FoldBatchNorm"/>. A replaced fold is left to the garbage collector rather than
    /// disposed, since another thread's forward may still be convolving with it.
    /// </para>
    /// </remarks>
    public sealed class BatchNormFold : IDisposable
    {
        private readonly IFoldableConvolution convolution;
        private readonly BatchNorm norm;
        private readonly object gate = new();
        private Folded? folded;

        internal BatchNormFold(IFoldableConvolution convolution, BatchNorm norm)
        {
            this.convolution = convolution;
            this.norm = norm;
        }

        /// <summary>Whether a block in this mode folds: evaluation mode, no gradient recorded, and the policy's <see cref="CpuRoutingPolicy.FoldBatchNorm"/>.</summary>
        /// <param name="training">The block's <c>training</c> flag.</param>
        public static bool Applies(bool training) =>
            !training && !is_grad_enabled() && CpuRoutingPolicy.Current.FoldBatchNorm;

        /// <summary>ReLU(BatchNorm(conv(<paramref name="input"/>))) in evaluation mode, by the folded convolution.</summary>
        /// <param name="input">The convolution's input.</param>
        public Tensor ConvolveNormalizeRelu(Tensor input)
        {
            var current = Current();
            return convolution.Convolve(input, current.Weight, current.Bias).relu_();
        }

        /// <summary>
        /// A folding block's forward: <paramref name="folded"/> when the fold applies (see <see cref="Applies"/>), otherwise
        /// <paramref name="plain"/>; a training-mode pass drops the cached fold, because the optimizer changes the weights.
        /// </summary>
        /// <param name="training">The block's <c>training</c> flag.</param>
        /// <param name="folded">The block's forward through <see cref="ConvolveNormalizeRelu"/>.</param>
        /// <param name="plain">The block's forward through its modules.</param>
        public Tensor Forward(bool training, Func<Tensor> folded, Func<Tensor> plain)
        {
            ArgumentNullException.ThrowIfNull(folded);
            ArgumentNullException.ThrowIfNull(plain);
            if (Applies(training))
            {
                return folded();
            }

            if (training)
            {
                Invalidate();
            }

            return plain();
        }

        /// <summary>Drops the cached fold; the next evaluation-mode forward folds again.</summary>
        public void Invalidate()
        {
            lock (gate)
            {
                folded = null;
            }
        }

        /// <inheritdoc/>
        public void Dispose()
        {
            lock (gate)
            {
                folded?.Dispose();
                folded = null;
            }
        }

        private Folded Current()
        {
            lock (gate)
            {
                using var scope = NewDisposeScope();
                if (folded is null || !folded.Sources.Matches(Sources()))
                {
                    folded = Fold(Sources());
                }

                return folded;
            }
        }

        private Tensor?[] Sources() =>
            new[] { convolution.Weight, convolution.Bias, norm.running_mean, norm.running_var, norm.weight, norm.bias };

        private Folded Fold(Tensor?[] sources)
        {
            using var mode = no_grad();
            var weight = convolution.Weight;
            var mean = norm.running_mean ?? throw new InvalidOperationException("BatchNorm folding needs running statistics.");
            var variance = norm.running_var!;
            var scale = (variance + norm.eps).rsqrt();
            if (norm.weight is { } gamma)
            {
                scale = scale * gamma;
            }

            var shift = ((convolution.Bias is { } bias ? bias - mean : -mean) * scale);
            if (norm.bias is { } beta)
            {
                shift = shift + beta;
            }

            var broadcast = new long[weight.dim()];
            Array.Fill(broadcast, 1L);
            broadcast[0] = -1;
            var foldedWeight = (weight * scale.view(broadcast)).DetachFromDisposeScope();
            var foldedBias = shift.contiguous().DetachFromDisposeScope();
            return new Folded(foldedWeight, foldedBias, TensorFingerprint.Take(sources));
        }

        private sealed record Folded(Tensor Weight, Tensor Bias, TensorFingerprint Sources) : IDisposable
        {
            public void Dispose()
            {
                Weight.Dispose();
                Bias.Dispose();
                Sources.Dispose();
            }
        }
    }
}
