using System;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks
{
    /// <summary>
    /// The Winograd transform (<see cref="Winograd3d.TransformWeight"/>) of the last kernel a convolution ran with, reused
    /// while it still describes that kernel: the same tensor object, and 1,024 elements spread over it equal to the copies
    /// taken when transforming (as <see cref="Seed.BatchNormFold"/> checks its fold). An optimiser step or a loaded
    /// checkpoint changes the sampled elements; a fold redone makes a new tensor. A replaced transform is left to the
    /// garbage collector rather than disposed, since another thread's forward may still be multiplying with it.
    /// </summary>
    internal sealed class WinogradKernelCache : IDisposable
    {
        private const long KernelSample = 1024;

        private readonly object gate = new();
        private Transformed? current;

        /// <summary><see cref="Winograd3d.TransformWeight"/> of <paramref name="kernel"/>, from the cache when it describes it.</summary>
        public Tensor For(Tensor kernel)
        {
            lock (gate)
            {
                using var scope = NewDisposeScope();
                using var gradients = no_grad();
                if (current is null || !current.Describes(kernel))
                {
                    var stride = Math.Max(1, kernel.numel() / KernelSample);
                    var sampleIndex = arange(0, kernel.numel(), stride, ScalarType.Int64, kernel.device);
                    var sample = kernel.flatten().index_select(0, sampleIndex).clone();
                    current = new Transformed(
                        Winograd3d.TransformWeight(kernel).DetachFromDisposeScope(),
                        kernel.Handle,
                        kernel.shape,
                        sampleIndex.DetachFromDisposeScope(),
                        sample.DetachFromDisposeScope());
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

        private sealed record Transformed(Tensor Weight, IntPtr Handle, long[] Shape, Tensor SampleIndex, Tensor Sample) : IDisposable
        {
            // Exact equality; a NaN never equals itself, so a kernel holding NaN is simply transformed again.
            public bool Describes(Tensor kernel) =>
                kernel.Handle == Handle
                && kernel.shape.AsSpan().SequenceEqual(Shape)
                && kernel.flatten().index_select(0, SampleIndex).eq(Sample).all().item<bool>();

            public void Dispose()
            {
                Weight.Dispose();
                SampleIndex.Dispose();
                Sample.Dispose();
            }
        }
    }
}
