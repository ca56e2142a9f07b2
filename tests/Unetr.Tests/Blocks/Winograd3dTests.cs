using System;
using System.Linq;
using Unetr.Model.Blocks;
using Unetr.Model.Blocks.Seed;
using Unetr.Model.Runtime;
using Unetr.Tests.Training;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Blocks;

/// <summary>
/// Winograd F(2³, 3³) computes <c>conv3d(…, padding: 1)</c>: every expected value here comes from libtorch's own
/// convolution in double precision or from shifted copies of the input, never from the Winograd code.
/// </summary>
// Draws from libtorch's global generator, so it runs alone.
[Collection(TrainingCollection.Name)]
public sealed class Winograd3dTests
{
    [Theory]
    [InlineData(1, 3, 5, 4, 4, 4, true, 100)]     // one tile plane slab covers everything
    [InlineData(2, 6, 4, 5, 7, 3, true, 1)]       // batch 2, odd sizes on every axis, one tile plane per slab
    [InlineData(1, 8, 8, 1, 1, 1, true, 1)]       // a single voxel: one tile, three planes of it cut off
    [InlineData(2, 16, 24, 6, 5, 9, false, 2)]    // no bias, in ≠ out, slabs of two tile planes with a short last one
    [InlineData(1, 40, 12, 7, 8, 6, true, 3)]
    [InlineData(1, 600, 8, 3, 4, 2, true, 1)]     // over 512 input channels: products summed over chunks
    [InlineData(1, 128, 512, 2, 8, 8, false, 1)]  // 512 outputs over 16 tiles, where oneDNN's grouped product was wrong
    [InlineData(1, 128, 512, 2, 8, 8, true, 1)]
    [InlineData(1, 64, 512, 16, 16, 16, true, 1)] // 512 outputs over 64 tiles per slab: oneDNN's grouped product
    [InlineData(1, 1024, 24, 4, 16, 16, false, 4)] // 1,024 inputs over 128 tiles, where oneDNN's grouped product died
    [InlineData(1, 16, 600, 2, 2, 2, true, 1)]    // over 512 outputs on a single tile
    public void Equals_conv3d_with_padding_one(long batch, long inChannels, long outChannels, long depth, long height, long width, bool hasBias, long tilesPerSlab)
    {
        manual_seed(17);
        using var template = nn.Conv3d(inChannels, outChannels, 3, padding: 1, bias: hasBias);
        using var input = randn(new[] { batch, inChannels, depth, height, width });
        var weight = template.weight!.detach();
        var bias = template.bias?.detach();

        using var expected = nn.functional.conv3d(input.to(float64), weight.to(float64), bias?.to(float64), padding: new long[] { 1, 1, 1 }).to(float32);
        using var transformed = Winograd3d.TransformWeight(weight);

        // Two threads, as the speed runs use: oneDNN's wrong grouped products (see Winograd3d) came only with more than one.
        var threads = get_num_threads();
        set_num_threads(2);
        Tensor actual;
        try
        {
            actual = Winograd3d.Convolve(input, transformed, bias, tilesPerSlab);
        }
        finally
        {
            set_num_threads(threads);
        }

        using var result = actual;
        Assert.Equal(expected.shape, actual.shape);
        AssertClose(expected, actual);
    }

    // One channel, a kernel that is 1 at a single tap (i, j, k): the output is the zero-padded input shifted by
    // (i − 1, j − 1, k − 1). A wrong row of any transform (Bᵀ, G or Aᵀ) breaks some tap at some output parity.
    [Fact]
    public void Every_kernel_tap_shifts_the_input_as_a_convolution_does()
    {
        manual_seed(18);
        using var input = randn(new long[] { 1, 1, 5, 6, 7 });
        using var padded = nn.functional.pad(input, new long[] { 1, 1, 1, 1, 1, 1 });
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                for (var k = 0; k < 3; k++)
                {
                    using var scope = NewDisposeScope();
                    var kernel = zeros(new long[] { 1, 1, 3, 3, 3 });
                    kernel[0, 0, i, j, k] = tensor(1f);
                    var expected = padded.narrow(2, i, 5).narrow(3, j, 6).narrow(4, k, 7);

                    var actual = Winograd3d.Convolve(input, Winograd3d.TransformWeight(kernel), bias: null, tilesPerSlab: 2);

                    var difference = (expected - actual).abs().max().item<float>();
                    Assert.True(difference <= 1e-6, $"tap ({i}, {j}, {k}): the output differs from the shifted input by {difference:E2}");
                }
            }
        }
    }

    [Fact]
    public void Rejects_a_kernel_that_is_not_3x3x3()
    {
        using var kernel = zeros(new long[] { 4, 2, 3, 3, 1 });

        var error = Assert.Throws<ArgumentException>(() => Winograd3d.TransformWeight(kernel));

        Assert.Contains("[4, 2, 3, 3, 1]", error.Message);
    }

    [Fact]
    public void Rejects_an_input_whose_channels_differ_from_the_kernels()
    {
        using var input = zeros(new long[] { 1, 3, 4, 4, 4 });
        using var transformed = zeros(new long[] { 64, 5, 4 });

        var error = Assert.Throws<ArgumentException>(() => Winograd3d.Convolve(input, transformed, bias: null, tilesPerSlab: 1));

        Assert.Contains("[1, 3, 4, 4, 4] and [64, 5, 4]", error.Message);
    }

    // The seed decoder's shapes at 64³ (docs/speed-notes.md, eighth session): Winograd only where it measured faster.
    [Theory]
    [InlineData(128, 128, 32, true)]
    [InlineData(256, 128, 32, true)]
    [InlineData(512, 512, 16, true)]
    [InlineData(512, 512, 8, true)]
    [InlineData(128, 128, 64, false)]    // 64³: the transforms cost more than they save
    [InlineData(64, 64, 32, false)]      // below 128 channels
    [InlineData(128, 64, 32, false)]     // output below 128 channels
    [InlineData(1024, 512, 8, false)]    // over 512 input channels
    [InlineData(256, 1024, 8, false)]    // over 512 output channels
    public void Default_policy_takes_winograd_for_the_shapes_where_it_paid(long inChannels, long outChannels, long edge, bool expected)
    {
        var shape = new[] { 1, inChannels, edge, edge, edge };

        Assert.Equal(expected, CpuRoutingPolicy.Default.ConvolutionUsesWinograd(shape, outChannels, kernel: 3, padding: 1, onCpu: true));
    }

    [Fact]
    public void Only_a_3x3x3_padding_one_cpu_convolution_is_taken_and_plain_takes_none()
    {
        var shape = new long[] { 1, 128, 16, 16, 16 };

        Assert.False(CpuRoutingPolicy.Default.ConvolutionUsesWinograd(shape, 128, kernel: 1, padding: 0, onCpu: true));
        Assert.False(CpuRoutingPolicy.Default.ConvolutionUsesWinograd(shape, 128, kernel: 3, padding: 0, onCpu: true));
        Assert.False(CpuRoutingPolicy.Default.ConvolutionUsesWinograd(shape, 128, kernel: 3, padding: 1, onCpu: false));
        Assert.False(CpuRoutingPolicy.Default.ConvolutionUsesWinograd(new long[] { 128, 16, 16, 16 }, 128, kernel: 3, padding: 1, onCpu: true));
        Assert.False(CpuRoutingPolicy.Plain.ConvolutionUsesWinograd(shape, 128, kernel: 3, padding: 1, onCpu: true));
    }

    // Bit-for-bit: the routed forward is the Winograd computation in evaluation mode without gradients, and the plain
    // convolution in training mode, with gradients, or under the plain policy (the two differ in their last bits).
    [Fact]
    public void Convolution_takes_winograd_only_in_evaluation_mode_without_gradients()
    {
        manual_seed(19);
        using var convolution = new OneDnnConv3d(128, 128, 3, 1, hasBias: true);
        // N·C·D·H above libtorch's oneDNN limit, so the direct route is the plain padded call (OneDnnRoute.AsIs).
        using var input = randn(new long[] { 1, 128, 14, 12, 5 });
        Assert.Equal(OneDnnRoute.AsIs, convolution.RouteFor(input.shape, onCpu: true));
        var parameters = convolution.parameters().ToArray();
        var weight = parameters[0].detach();
        var bias = parameters[1].detach();
        using var transformed = Winograd3d.TransformWeight(weight);
        using var winograd = Winograd3d.Convolve(input, transformed, bias, tilesPerSlab: 1);
        using var direct = nn.functional.conv3d(input, weight, bias, padding: new long[] { 1, 1, 1 });
        Assert.False(Tensors.Identical(winograd, direct), "the test needs the two routes to differ in some bit");

        convolution.eval();
        using (no_grad())
        {
            Assert.True(convolution.UsesWinograd(input.shape, onCpu: true));
            using var evaluated = convolution.call(input);
            Assert.True(Tensors.Identical(evaluated, winograd), "evaluation without gradients should be the Winograd computation");

            using var plainPolicy = CpuRoutingPolicy.Use(CpuRoutingPolicy.Plain);
            Assert.False(convolution.UsesWinograd(input.shape, onCpu: true));
            using var plain = convolution.call(input);
            Assert.True(Tensors.Identical(plain, direct), "the plain policy should convolve directly");
        }

        using (var withGradients = convolution.call(input))
        {
            Assert.False(convolution.UsesWinograd(input.shape, onCpu: true));
            Assert.True(Tensors.Identical(withGradients.detach(), direct), "evaluation with gradients should convolve directly");
        }

        convolution.train();
        using (no_grad())
        {
            Assert.False(convolution.UsesWinograd(input.shape, onCpu: true));
            using var training = convolution.call(input);
            Assert.True(Tensors.Identical(training, direct), "training mode should convolve directly");
        }
    }

    // The cached kernel transform follows an in-place change of the weight (an optimizer step).
    [Fact]
    public void Follows_an_in_place_change_of_the_weight()
    {
        manual_seed(20);
        using var convolution = new OneDnnConv3d(128, 128, 3, 1, hasBias: false);
        using var input = randn(new long[] { 1, 128, 4, 4, 4 });
        convolution.eval();
        var weight = convolution.parameters().First();
        using (no_grad())
        {
            convolution.call(input).Dispose();
            weight.mul_(-0.5);
            using var expected = nn.functional.conv3d(input.to(float64), weight.detach().to(float64), padding: new long[] { 1, 1, 1 }).to(float32);
            using var actual = convolution.call(input);

            AssertClose(expected, actual);
        }
    }

    // A seed block whose folded convolution takes the Winograd route agrees with its plain modules (no fold, no Winograd).
    [Fact]
    public void Seed_conv_block_in_inference_agrees_with_its_plain_modules()
    {
        manual_seed(21);
        using var block = new ConvBlock(3, 128, 128);
        using var input = randn(new long[] { 1, 128, 5, 6, 4 });
        block.eval();
        using var mode = inference_mode();
        Tensor expected;
        using (CpuRoutingPolicy.Use(CpuRoutingPolicy.Plain))
        {
            expected = block.call(input);
        }

        Tensor foldedOnly;
        using (CpuRoutingPolicy.Use(CpuRoutingPolicy.Default with { WinogradMinimumChannels = null }))
        {
            foldedOnly = block.call(input);
        }

        using (expected)
        using (foldedOnly)
        using (var actual = block.call(input))
        {
            AssertClose(expected, actual);
            Assert.False(Tensors.Identical(actual, foldedOnly), "the folded convolution should have gone through Winograd, which differs in some bit");
        }
    }

    // Within 1e-4 both absolutely and relative to the output's largest magnitude.
    private static void AssertClose(Tensor expected, Tensor actual)
    {
        var difference = (expected - actual).abs().max().item<float>();
        var scale = expected.abs().max().item<float>();
        Assert.True(difference <= 1e-4 && difference <= 1e-4 * Math.Max(scale, 1e-3), $"differs by {difference:E2} (largest magnitude {scale:E2})");
    }
}
