using System;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks
{
    /// <summary>
    /// What a cached derivation of some tensors (a folded or transformed convolution weight) was computed from, so that
    /// the cache is reused only while they are unchanged: the same tensor objects (handles), the first one's shape and
    /// 1,024 evenly spaced elements of it, and every other one whole (they are small: biases, statistics).
    /// </summary>
    /// <remarks>
    /// Comparison is exact; a NaN never equals itself, so a derivation from NaN values is simply computed again. An
    /// in-place change of the first tensor that spares every sampled element goes unseen.
    /// </remarks>
    internal sealed class TensorFingerprint : IDisposable
    {
        private const long Sample = 1024;

        private readonly IntPtr[] handles;
        private readonly long[] shape;
        private readonly Tensor sampleIndex;
        private readonly Tensor?[] copies;

        private TensorFingerprint(IntPtr[] handles, long[] shape, Tensor sampleIndex, Tensor?[] copies)
        {
            this.handles = handles;
            this.shape = shape;
            this.sampleIndex = sampleIndex;
            this.copies = copies;
        }

        /// <summary>Takes the fingerprint of <paramref name="sources"/>; the first must be present.</summary>
        public static TensorFingerprint Take(params Tensor?[] sources)
        {
            ArgumentNullException.ThrowIfNull(sources);
            var first = sources[0] ?? throw new ArgumentException("The first source tensor is required.", nameof(sources));
            using var scope = NewDisposeScope();
            using var gradients = no_grad();
            var stride = Math.Max(1, first.numel() / Sample);
            var index = arange(0, first.numel(), stride, ScalarType.Int64, first.device);
            var copies = Array.ConvertAll(Snapshot(sources, index), copy => copy?.clone().DetachFromDisposeScope());
            return new TensorFingerprint(
                Array.ConvertAll(sources, s => s?.Handle ?? IntPtr.Zero),
                first.shape,
                index.DetachFromDisposeScope(),
                copies);
        }

        /// <summary>Whether <paramref name="sources"/> are still the tensors and values this fingerprint was taken of.</summary>
        public bool Matches(params Tensor?[] sources)
        {
            ArgumentNullException.ThrowIfNull(sources);
            if (sources.Length != handles.Length || sources[0] is not { } first || !first.shape.AsSpan().SequenceEqual(shape))
            {
                return false;
            }

            for (var i = 0; i < sources.Length; i++)
            {
                if ((sources[i]?.Handle ?? IntPtr.Zero) != handles[i])
                {
                    return false;
                }
            }

            using var scope = NewDisposeScope();
            using var gradients = no_grad();
            var now = Snapshot(sources, sampleIndex);
            for (var i = 0; i < now.Length; i++)
            {
                if (now[i] is { } value && !Same(value, copies[i]!))
                {
                    return false;
                }
            }

            return true;
        }

        /// <inheritdoc/>
        public void Dispose()
        {
            sampleIndex.Dispose();
            foreach (var copy in copies)
            {
                copy?.Dispose();
            }
        }

        // The first tensor is represented by its sampled elements; the others are kept whole.
        private static Tensor?[] Snapshot(Tensor?[] sources, Tensor index)
        {
            var snapshot = (Tensor?[])sources.Clone();
            snapshot[0] = sources[0]!.flatten().index_select(0, index);
            return snapshot;
        }

        private static bool Same(Tensor now, Tensor copy) =>
            now.shape.AsSpan().SequenceEqual(copy.shape) && now.eq(copy).all().item<bool>();
    }
}
