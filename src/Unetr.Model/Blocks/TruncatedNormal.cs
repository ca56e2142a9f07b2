using System;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks
{
    /// <summary>
    /// PyTorch's <c>nn.init.trunc_normal_</c>, draw for draw: uniform values between the bounds' normal CDFs (as
    /// 2·cdf − 1), the inverse error function, scaled by std·√2, shifted by the mean, clamped to [a, b].
    /// </summary>
    /// <remarks>
    /// TorchSharp 0.107's <c>nn.init.trunc_normal_</c> computes the CDFs with an approximation of erf that is not exact
    /// at the tails. With MONAI's arguments (std 0.02, a = −2, b = 2: bounds 100 standard deviations out) its uniform
    /// range then reaches past ±1, and the inverse error function returns NaN there: about one value in eight million,
    /// so the MONAI BTCV patch embedding (768 × 4096 weights) started with a NaN weight in about a third of seeds. Here
    /// the CDFs come from libtorch's erf in double precision, so the range is PyTorch's ([−1, 1] for those arguments),
    /// and a draw at the edge becomes the bound, as in PyTorch.
    /// </remarks>
    public static class TruncatedNormal
    {
        /// <summary>Fills <paramref name="tensor"/> in place and returns it.</summary>
        /// <param name="tensor">The tensor to fill.</param>
        /// <param name="mean">Mean of the normal distribution.</param>
        /// <param name="std">Standard deviation of the normal distribution, above 0.</param>
        /// <param name="a">Lowest value.</param>
        /// <param name="b">Highest value, above <paramref name="a"/>.</param>
        public static Tensor Fill_(Tensor tensor, double mean, double std, double a, double b)
        {
            ArgumentNullException.ThrowIfNull(tensor);
            if (!(std > 0))
            {
                throw new ArgumentOutOfRangeException(nameof(std), std, "Expected a standard deviation above 0.");
            }

            if (!(b > a))
            {
                throw new ArgumentOutOfRangeException(nameof(b), b, $"Expected the upper bound above the lower bound {a}.");
            }

            var low = 2 * NormalCdf((a - mean) / std) - 1;
            var high = 2 * NormalCdf((b - mean) / std) - 1;
            using var noGrad = no_grad();
            tensor.uniform_(low, high);
            tensor.erfinv_();
            tensor.mul_(std * Math.Sqrt(2.0));
            tensor.add_(mean);
            tensor.clamp_(a, b);
            return tensor;
        }

        /// <summary>The standard normal CDF, through libtorch's double-precision erf.</summary>
        /// <param name="x">Where to evaluate it.</param>
        /// <returns>Φ(x), within [0, 1].</returns>
        public static double NormalCdf(double x)
        {
            using var scaled = tensor(x / Math.Sqrt(2.0), dtype: ScalarType.Float64);
            using var erf = scaled.erf();
            return (1.0 + erf.item<double>()) / 2.0;
        }
    }
}
