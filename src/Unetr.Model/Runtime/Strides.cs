using System.Collections.Generic;

namespace Unetr.Model.Runtime;

/// <summary>Memory-layout arithmetic on a tensor's shape and strides.</summary>
internal static class Strides
{
    /// <summary>
    /// Whether the strides lay the elements out densely (each once, no gaps) with the axes nested in
    /// <paramref name="innermostFirst"/> order; axes of length 1 may have any stride, as in PyTorch.
    /// </summary>
    public static bool AreDense(long[] shape, long[] strides, IEnumerable<int> innermostFirst)
    {
        long expected = 1;
        foreach (var axis in innermostFirst)
        {
            if (shape[axis] != 1 && strides[axis] != expected)
            {
                return false;
            }

            expected *= shape[axis];
        }

        return true;
    }

    /// <summary>Row-major (C-order) strides for <paramref name="shape"/>.</summary>
    public static long[] RowMajor(long[] shape)
    {
        var strides = new long[shape.Length];
        long stride = 1;
        for (var axis = shape.Length - 1; axis >= 0; axis--)
        {
            strides[axis] = stride;
            stride *= System.Math.Max(shape[axis], 1);
        }

        return strides;
    }
}
