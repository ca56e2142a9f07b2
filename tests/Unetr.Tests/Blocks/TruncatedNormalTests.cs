using System;
using System.Linq;
using Unetr.Dsl;
using Unetr.Model.Blocks;
using Unetr.Model.Blocks.Monai;
using Unetr.Tests.Training;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Blocks;

// Seeds libtorch's global generator, so it runs alone.
[Collection(TrainingCollection.Name)]
public sealed class TruncatedNormalTests
{
    [Theory]
    [InlineData(1.0, 0.5, 0.0, 3.0)]      // cut at −2 and +4 standard deviations
    [InlineData(0.0, 0.02, -2.0, 2.0)]    // MONAI's arguments: effectively untruncated
    [InlineData(-3.0, 2.0, -4.0, -1.0)]   // cut at ±0.5 standard deviations, a narrow window
    public void Draws_have_the_truncated_normal_moments_and_stay_within_the_bounds(double mean, double std, double a, double b)
    {
        manual_seed(3);
        using var values = TruncatedNormal.Fill_(empty(400_000, dtype: ScalarType.Float64), mean, std, a, b);
        var (expectedMean, expectedStd) = TruncatedMoments(mean, std, a, b);

        Assert.True(values.isfinite().all().item<bool>());
        Assert.True(values.min().item<double>() >= a && values.max().item<double>() <= b);
        Assert.Equal(expectedMean, values.mean().item<double>(), 0.01 * std);
        Assert.Equal(expectedStd, values.std().item<double>(), 0.01 * std);
    }

    [Fact]
    public void Monai_bounds_give_pytorchs_uniform_range_of_exactly_minus_one_to_one()
    {
        // 100 standard deviations out, Φ is 0 and 1 in double precision; an inexact erf pushes 2Φ − 1 past ±1.
        Assert.Equal(-1.0, 2 * TruncatedNormal.NormalCdf(-100) - 1);
        Assert.Equal(1.0, 2 * TruncatedNormal.NormalCdf(100) - 1);
        Assert.Equal(0.5, TruncatedNormal.NormalCdf(0));
        Assert.Equal(0.9750021048517795, TruncatedNormal.NormalCdf(1.96), 12);
    }

    [Fact]
    public void A_monai_sized_weight_has_no_nan_for_a_seed_whose_draws_reach_the_edge()
    {
        // With this seed TorchSharp 0.107's nn.init.trunc_normal_ left a NaN in the first 768 × 4096 weight.
        manual_seed(20260521);
        using var weight = TruncatedNormal.Fill_(empty(768, 4096), mean: 0.0, std: 0.02, a: -2.0, b: 2.0);

        Assert.Equal(0, weight.isnan().sum().item<long>());
    }

    [Fact]
    public void Monai_patch_embedding_starts_with_std_002_position_embeddings_and_weights_and_zero_bias()
    {
        manual_seed(4);
        using var embedding = new PatchEmbeddingBlock(3, 1, new long[] { 96, 96, 96 }, 16, 768, PatchProjection.Perceptron, dropout: 0.0);
        var parameters = embedding.named_parameters().ToDictionary(p => p.name, p => p.parameter);

        // TorchSharp 0.107's nn.init.trunc_normal_ swaps mean and std: it filled both with the constant 0.02.
        Assert.Equal(0.02, parameters["position_embeddings"].std().item<float>(), 0.001);
        Assert.Equal(0.0, parameters["position_embeddings"].mean().item<float>(), 0.001);
        Assert.Equal(0.02, parameters["patch_embeddings.1.weight"].std().item<float>(), 0.001);
        Assert.Equal(0.0, parameters["patch_embeddings.1.weight"].mean().item<float>(), 0.001);
        Assert.Equal(0.0, parameters["patch_embeddings.1.bias"].abs().max().item<float>());
    }

    // Mean and standard deviation of N(mean, std²) restricted to [a, b], from the textbook formulas with Φ integrated
    // numerically (Simpson's rule on the density), independently of the code under test.
    private static (double Mean, double Std) TruncatedMoments(double mean, double std, double a, double b)
    {
        double alpha = (a - mean) / std, beta = (b - mean) / std;
        static double Density(double x) => Math.Exp(-0.5 * x * x) / Math.Sqrt(2 * Math.PI);
        var clippedLow = Math.Max(alpha, -12);
        var clippedHigh = Math.Min(beta, 12);
        const int Steps = 20_000;
        var h = (clippedHigh - clippedLow) / Steps;
        var mass = Enumerable.Range(0, Steps + 1).Sum(i => (i == 0 || i == Steps ? 1 : i % 2 == 1 ? 4 : 2) * Density(clippedLow + i * h)) * h / 3;
        double pa = Density(alpha), pb = Density(beta);
        var shift = (pa - pb) / mass;
        var variance = 1 + (alpha * pa - beta * pb) / mass - shift * shift;
        return (mean + std * shift, std * Math.Sqrt(variance));
    }
}
