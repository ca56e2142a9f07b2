using System;
using System.Collections.Generic;
using System.Linq;

namespace Unetr.CommandLine.Ablation;

/// <summary>A sample mean with its two-sided Student t confidence interval.</summary>
/// <param name="Count">Values the mean is taken over.</param>
/// <param name="Mean">The sample mean.</param>
/// <param name="HalfWidth">Half the interval's width; <see cref="double.NaN"/> with fewer than two values (no spread to estimate).</param>
public readonly record struct MeanInterval(int Count, double Mean, double HalfWidth)
{
    /// <summary>The interval's lower end.</summary>
    public double Low => Mean - HalfWidth;

    /// <summary>The interval's upper end.</summary>
    public double High => Mean + HalfWidth;

    /// <summary>Whether the interval exists (two values or more).</summary>
    public bool HasInterval => double.IsFinite(HalfWidth);

    /// <summary>Whether the interval lies entirely on one side of 0: a difference resolved at the interval's confidence.</summary>
    public bool ExcludesZero => HasInterval && (Low > 0 || High < 0);
}

/// <summary>Means, Student t intervals and paired differences over seeds.</summary>
public static class AblationStatistics
{
    /// <summary>The confidence of every interval the ablation reports.</summary>
    public const double Confidence = 0.95;

    /// <summary>
    /// The mean of <paramref name="values"/> and its two-sided <paramref name="confidence"/> interval,
    /// mean ± t(1 − α/2, n − 1) · s / √n with s the sample standard deviation (n − 1 in the denominator).
    /// </summary>
    /// <exception cref="ArgumentException">No values, or a value is not finite.</exception>
    public static MeanInterval Interval(IReadOnlyList<double> values, double confidence = Confidence)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            throw new ArgumentException("No values to average.", nameof(values));
        }

        if (values.Any(v => !double.IsFinite(v)))
        {
            throw new ArgumentException("Every value must be a finite number.", nameof(values));
        }

        var mean = values.Average();
        if (values.Count < 2)
        {
            return new MeanInterval(1, mean, double.NaN);
        }

        var variance = values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1);
        var half = StudentTQuantile(0.5 + (confidence / 2), values.Count - 1) * Math.Sqrt(variance / values.Count);
        return new MeanInterval(values.Count, mean, half);
    }

    /// <summary>
    /// The paired difference <paramref name="variant"/> − <paramref name="baseline"/> over the seeds both have, with its
    /// interval: the variance of the per-seed differences, so that what a seed does to both networks cancels.
    /// </summary>
    /// <returns>The interval of the differences, or <c>null</c> when the two share no seed.</returns>
    public static MeanInterval? PairedDifference(IReadOnlyDictionary<long, double> variant, IReadOnlyDictionary<long, double> baseline, double confidence = Confidence)
    {
        ArgumentNullException.ThrowIfNull(variant);
        ArgumentNullException.ThrowIfNull(baseline);
        var differences = variant.Keys.Where(baseline.ContainsKey).Order().Select(seed => variant[seed] - baseline[seed]).ToArray();
        return differences.Length == 0 ? null : Interval(differences, confidence);
    }

    /// <summary>The <paramref name="probability"/> quantile of Student's t distribution with <paramref name="degreesOfFreedom"/> degrees of freedom.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="probability"/> is not in (0, 1), or fewer than 1 degree of freedom.</exception>
    public static double StudentTQuantile(double probability, int degreesOfFreedom)
    {
        if (!(probability > 0 && probability < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "A probability strictly between 0 and 1 is expected.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(degreesOfFreedom, 1);
        if (probability < 0.5)
        {
            return -StudentTQuantile(1 - probability, degreesOfFreedom);
        }

        // P(|T| ≤ t) = 2p − 1; the central probability grows with t, so bisection finds t to double precision.
        var central = (2 * probability) - 1;
        double low = 0, high = 1;
        while (CentralProbability(high, degreesOfFreedom) < central)
        {
            high *= 2;
        }

        for (var i = 0; i < 200 && high - low > 1e-13 * high; i++)
        {
            var middle = 0.5 * (low + high);
            if (CentralProbability(middle, degreesOfFreedom) < central)
            {
                low = middle;
            }
            else
            {
                high = middle;
            }
        }

        return 0.5 * (low + high);
    }

    /// <summary>
    /// P(|T| ≤ <paramref name="t"/>) for Student's t with an integer number of degrees of freedom ν, by the finite sums in
    /// θ = atan(t / √ν) (Abramowitz and Stegun 26.7.3 and 26.7.4): exact, no series to truncate.
    /// </summary>
    public static double CentralProbability(double t, int degreesOfFreedom)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(degreesOfFreedom, 1);
        var theta = Math.Atan(Math.Abs(t) / Math.Sqrt(degreesOfFreedom));
        var sin = Math.Sin(theta);
        var cos = Math.Cos(theta);
        var cos2 = cos * cos;
        if (degreesOfFreedom % 2 == 1)
        {
            // ν odd: (2/π)(θ + sin θ (cos θ + (2/3) cos³ θ + … + (2·4…(ν−3))/(1·3…(ν−2)) cos^(ν−2) θ)).
            double sum = 0, term = cos;
            for (var k = 1; k <= degreesOfFreedom - 2; k += 2)
            {
                sum += term;
                term *= cos2 * (k + 1) / (k + 2);
            }

            return 2 / Math.PI * (theta + (sin * sum));
        }
        else
        {
            // ν even: sin θ (1 + (1/2) cos² θ + (1·3)/(2·4) cos⁴ θ + … + (1·3…(ν−3))/(2·4…(ν−2)) cos^(ν−2) θ).
            double sum = 0, term = 1;
            for (var k = 0; k <= degreesOfFreedom - 2; k += 2)
            {
                sum += term;
                term *= cos2 * (k + 1) / (k + 2);
            }

            return sin * sum;
        }
    }
}
