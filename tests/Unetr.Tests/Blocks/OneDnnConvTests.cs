using System;
using System.Linq;
using Unetr.Model.Blocks;
using Unetr.Model.Runtime;
using Unetr.Tests.Training;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Blocks;

// Draws from libtorch's global generator and compares initialisations, so it runs alone.
[Collection(TrainingCollection.Name)]
public sealed class OneDnnConvTests
{
    // Expected routes from libtorch's rule by hand: oneDNN iff batch > 1, kernel > 3, or N·C·D·H > 20,480.
    [Theory]
    [InlineData(new long[] { 1, 64, 16, 16, 16 }, 3, 1, true, OneDnnRoute.PaddedInput)]   // 16,384 → padded 64·18·18 = 20,736
    [InlineData(new long[] { 1, 128, 8, 8, 8 }, 3, 1, true, OneDnnRoute.DepthSlabs)]      // 8,192 → padded 12,800
    [InlineData(new long[] { 1, 4, 64, 64, 64 }, 3, 1, true, OneDnnRoute.DepthSlabs)]     // 16,384 → padded 17,424
    [InlineData(new long[] { 1, 128, 12, 12, 12 }, 1, 0, true, OneDnnRoute.DepthSlabs)]   // kernel 1: 18,432, no padding
    [InlineData(new long[] { 1, 32, 32, 32, 32 }, 3, 1, true, OneDnnRoute.AsIs)]          // 32,768: libtorch picks oneDNN itself
    [InlineData(new long[] { 2, 64, 16, 16, 16 }, 3, 1, true, OneDnnRoute.AsIs)]          // batch 2
    [InlineData(new long[] { 1, 1, 96, 96, 96 }, 3, 1, true, OneDnnRoute.AsIs)]           // one channel stays on libtorch's route
    [InlineData(new long[] { 1, 64, 16, 16, 16 }, 3, 1, false, OneDnnRoute.AsIs)]         // not on the CPU
    [InlineData(new long[] { 1, 8, 3, 4, 4 }, 3, 0, true, OneDnnRoute.AsIs)]              // one output plane: nothing to split
    public void Takes_the_route_that_keeps_a_batch_one_volume_on_onednn(long[] shape, long kernel, long padding, bool onCpu, OneDnnRoute expected)
    {
        using var conv = new OneDnnConv3d(shape[1], 8, kernel, padding, hasBias: true);

        Assert.Equal(expected, conv.RouteFor(shape, onCpu));
    }

    [Theory]
    [InlineData(64, 16, 3, 1, 16, 16, 3, OneDnnRoute.PaddedInput)]
    [InlineData(8, 16, 3, 1, 8, 6, 5, OneDnnRoute.DepthSlabs)]
    [InlineData(8, 16, 3, 1, 7, 6, 5, OneDnnRoute.DepthSlabs)]  // odd output depth: one plane computed and cut off
    [InlineData(16, 8, 1, 0, 5, 4, 3, OneDnnRoute.DepthSlabs)]
    [InlineData(4, 8, 3, 0, 9, 5, 6, OneDnnRoute.DepthSlabs)]   // no padding: the output is smaller than the input
    [InlineData(1, 8, 3, 1, 6, 6, 6, OneDnnRoute.AsIs)]
    public void Computes_nn_conv3d_with_its_parameters_outputs_and_gradients_on_every_route(
        long inChannels, long outChannels, long kernel, long padding, long depth, long height, long width, OneDnnRoute route)
    {
        manual_seed(9);
        using var reference = nn.Conv3d(inChannels, outChannels, kernel, padding: padding, bias: true);
        manual_seed(9);
        using var routed = new OneDnnConv3d(inChannels, outChannels, kernel, padding, hasBias: true);
        using var input = randn(new long[] { 1, inChannels, depth, height, width });
        Assert.Equal(route, routed.RouteFor(input.shape, onCpu: true));

        RoutedModuleAssert.SameModule(reference, routed, input, ChannelsLast.Of(input));
    }

    // Row-major input and weight, kernel above 1, output channels not a multiple of 16: libtorch's oneDNN call returns
    // wrong input gradients on the Zen 5 EPYC of docs/speed-notes.md (sixth session). The routed block must agree with the same sums in double precision
    // (computed by libtorch's own slow_conv3d, which oneDNN does not take for float64).
    [Theory]
    [InlineData(4, 8, 3, 1, new long[] { 2, 4, 6, 6, 6 })]      // batch 2: libtorch's own oneDNN route
    [InlineData(4, 8, 3, 0, new long[] { 1, 4, 9, 5, 6 })]      // depth slabs
    [InlineData(16, 24, 3, 1, new long[] { 2, 16, 6, 6, 6 })]
    public void Input_gradients_agree_with_double_precision_where_onednns_row_major_kernel_does_not(
        long inChannels, long outChannels, long kernel, long padding, long[] shape)
    {
        manual_seed(9);
        using var routed = new OneDnnConv3d(inChannels, outChannels, kernel, padding, hasBias: true);
        using var input = randn(shape).requires_grad_(true);
        using var output = routed.call(input);
        using var upstream = randn_like(output);
        (output * upstream).sum().backward();

        using var exactInput = input.detach().to(float64).requires_grad_(true);
        var padding3d = new[] { padding, padding, padding };
        using var exact = nn.functional.conv3d(exactInput, routed.parameters().First().detach().to(float64), routed.parameters().Last().detach().to(float64), padding: padding3d);
        (exact * upstream.to(float64)).sum().backward();

        RoutedModuleAssert.Close("output", exact.to(float32), output);
        RoutedModuleAssert.Close("input gradient", exactInput.grad!.to(float32), input.grad!);
    }

    [Fact]
    public void Takes_an_unbatched_volume_as_nn_conv3d_does()
    {
        manual_seed(9);
        using var reference = nn.Conv3d(8, 16, 3, padding: 1, bias: true);
        manual_seed(9);
        using var routed = new OneDnnConv3d(8, 16, 3, padding: 1, hasBias: true);
        using var input = randn(new long[] { 8, 6, 5, 4 });

        Assert.Equal(OneDnnRoute.AsIs, routed.RouteFor(input.shape, onCpu: true));
        using var expected = reference.call(input);
        using var actual = routed.call(input);
        Assert.Equal(expected.shape, actual.shape);
        RoutedModuleAssert.Close("output", expected, actual);
    }

    [Fact]
    public void The_factory_routes_stride_one_and_patch_3d_convolutions_only()
    {
        using var decoder = Layers.Conv(3, 64, 64, kernel: 3, stride: 1, padding: 1, bias: true);
        using var pointwise = Layers.Conv(3, 16, 14, kernel: 1, stride: 1, padding: 0, bias: true);
        using var patchEmbedding = Layers.Conv(3, 4, 192, kernel: 16, stride: 16, padding: 0, bias: true);
        using var planar = Layers.Conv(2, 64, 64, kernel: 3, stride: 1, padding: 1, bias: true);

        Assert.IsType<OneDnnConv3d>(decoder);
        Assert.IsType<OneDnnConv3d>(pointwise);
        Assert.IsType<PatchConv3d>(patchEmbedding);
        Assert.IsNotType<OneDnnConv3d>(planar);
    }

    [Theory]
    [InlineData(4, 24, 4, new long[] { 2, 4, 8, 12, 16 }, false)]
    [InlineData(4, 24, 4, new long[] { 1, 4, 8, 12, 16 }, true)]    // weights channels-last, as in training
    [InlineData(1, 16, 8, new long[] { 1, 1, 16, 16, 8 }, false)]
    [InlineData(8, 24, 2, new long[] { 1, 8, 16, 16, 16 }, false)]  // 512 patches × 64: the product goes to oneDNN
    [InlineData(8, 24, 2, new long[] { 1, 8, 16, 16, 16 }, true)]
    public void Patch_convolution_computes_nn_conv3d_with_its_parameters_outputs_and_gradients(
        long inChannels, long outChannels, long patch, long[] shape, bool channelsLastWeights)
    {
        manual_seed(9);
        using var reference = nn.Conv3d(inChannels, outChannels, patch, stride: patch, padding: 0L, bias: true);
        manual_seed(9);
        using var routed = new PatchConv3d(inChannels, outChannels, patch, hasBias: true);

        // The reference's weight is channels-last in every case: with a row-major weight, libtorch hands this
        // convolution to a oneDNN kernel that computes wrong input gradients on some CPUs (see
        // Input_gradients_agree_with_double_precision_where_onednns_row_major_kernel_does_not).
        ChannelsLast.Convert(reference);
        if (channelsLastWeights)
        {
            ChannelsLast.Convert(routed);
        }

        using var input = randn(shape);
        Assert.True(routed.UsesProduct(input.shape, onCpu: true));

        RoutedModuleAssert.SameModule(reference, routed, input, ChannelsLast.Of(input));
    }

    [Theory]
    [InlineData(new long[] { 1, 4, 8, 12, 18 }, true, false)]    // 18 is not a multiple of 4: nn.Conv3d drops the rest
    [InlineData(new long[] { 4, 8, 12, 16 }, true, false)]       // unbatched
    [InlineData(new long[] { 1, 4, 8, 12, 16 }, false, false)]   // not on the CPU
    [InlineData(new long[] { 1, 4, 8, 12, 16 }, true, true)]
    public void Patch_convolution_takes_libtorchs_route_where_the_patches_do_not_tile_the_batch(long[] shape, bool onCpu, bool expected)
    {
        using var routed = new PatchConv3d(4, 24, 4, hasBias: true);

        Assert.Equal(expected, routed.UsesProduct(shape, onCpu));
    }

    [Fact]
    public void Patch_convolution_of_a_volume_the_patches_do_not_tile_is_nn_conv3d()
    {
        manual_seed(9);
        using var reference = nn.Conv3d(4, 24, 4, stride: 4, padding: 0L, bias: true);
        manual_seed(9);
        using var routed = new PatchConv3d(4, 24, 4, hasBias: true);
        using var input = randn(new long[] { 1, 4, 8, 12, 18 });

        RoutedModuleAssert.SameModule(reference, routed, input);
    }
}
