using System;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks
{
    /// <summary>
    /// The Winograd transform (<see cref="Winograd3d.TransformWeight"/>) of the last kernel a convolution ran with, reused
    /// while it still describes that kernel: the same tensor object, and 1,024 elements spread over it equal to the copies
    /// taken when transforming (<see cref="TensorFingerprint"/>, as <see cref="Seed.BatchNormFold"/> checks its fold). An optimiser step or a loaded
    /// checkpoint changes the sampled elements; a fold redone makes a new tensor. A replaced transform is left to the
    /// garbage collector rather than disposed, since another thread's forward may still be multiplying with it.
    /// </summary>
    internal sealed class WinogradKernelCache : IDisposable
    {
        private readonly object gate = new();
        private Transformed? current;

        /// <summary><see cref="Winograd3d.TransformWeight"/> of <paramref name="kernel"/>, from the cache when it describes it.</summary>
        public Tensor For(Tensor kernel)
        {
            lock (gate)
            {
                using var scope = NewDisposeScope();
                using var gradients = no_grad();
                if (current is null || !current.Sources.Matches(kernel))
                {
                    current = new Transformed(Winograd3d.TransformWeight(kernel).DetachFromDisposeScope(), TensorFingerprint.Take(kernel));
                }

                return current.Weight;
            }
        }

        /// <inheritdoc/>
        public void Dispose()
        {
            lock (gate)
            {
                current?.Dispose();
                current = null;
            }
        }

        private sealed record Transformed(Tensor Weight, TensorFingerprint Sources) : IDisposable
        {
            public void Dispose()
            {
                Weight.Dispose();
                Sources.Dispose();
            }
        }
    }
}
