using System;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks
{
    /// <summary>
    /// Frees a block's intermediate tensors as soon as the next step exists, instead of when the caller's dispose scope
    /// ends. Disposing a handle releases only this reference: autograd keeps what its backward needs, so the result is
    /// the same; what is freed is what nothing needs (in evaluation, in a checkpointed forward, and every tensor autograd
    /// did not save), which is what a training step's scope would otherwise hold to the end of the step.
    /// </summary>
    internal static class Intermediate
    {
        /// <summary>Disposes <paramref name="used"/> unless it is <paramref name="next"/> (an in-place step); returns <paramref name="next"/>.</summary>
        public static Tensor Release(Tensor used, Tensor next)
        {
            ArgumentNullException.ThrowIfNull(used);
            if (!ReferenceEquals(used, next))
            {
                used.Dispose();
            }

            return next;
        }
    }
}
