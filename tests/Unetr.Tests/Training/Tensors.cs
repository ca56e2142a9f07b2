using System.Linq;
using static TorchSharp.torch;

namespace Unetr.Tests.Training;

internal static class Tensors
{
    /// <summary>Same shape and every element equal (bit for bit for floats, NaN aside).</summary>
    public static bool Identical(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape) || a.dtype != b.dtype)
        {
            return false;
        }

        using var equal = a.eq(b).all();
        return equal.item<bool>();
    }
}
