using System.Threading;
using Unetr.Model.Blocks;
using Unetr.Model.Runtime;
using Unetr.Tests.Blocks;
using Unetr.Tests.Training;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Runtime;

// Draws from libtorch's global generator and compares initialisations, so it runs alone.
[Collection(TrainingCollection.Name)]
public sealed class CpuRoutingPolicyTests
{
    private static readonly CpuRoutingPolicy Policy = CpuRoutingPolicy.Default;

    // The convolution route needs at least 128 rows and rows · in above libtorch's 20,480.
    [Theory]
    [InlineData(127, 192, false)]   // one row short
    [InlineData(128, 192, true)]    // 24,576
    [InlineData(128, 160, false)]   // exactly 20,480: libtorch would not take oneDNN
    [InlineData(129, 160, true)]    // 20,640
    public void Linear_takes_the_convolution_route_from_the_minimum_rows_and_above_libtorchs_limit(long rows, long inFeatures, bool expected)
    {
        Assert.Equal(expected, Policy.LinearUsesConvolution(new[] { rows, inFeatures }, inFeatures, onCpu: true));
        Assert.False(Policy.LinearUsesConvolution(new[] { rows, inFeatures }, inFeatures, onCpu: false));
    }

    [Fact]
    public void Linear_minimum_rows_can_be_lowered_or_switched_off()
    {
        var shape = new long[] { 64, 384 };   // 24,576 values, 64 rows

        Assert.False(Policy.LinearUsesConvolution(shape, 384, onCpu: true));
        Assert.True((Policy with { LinearAsConvolutionMinimumRows = 64 }).LinearUsesConvolution(shape, 384, onCpu: true));
        Assert.False((Policy with { LinearAsConvolutionMinimumRows = null }).LinearUsesConvolution(new long[] { 216, 768 }, 768, onCpu: true));
    }

    // Batch-1, kernel 3, padding 1; libtorch takes oneDNN itself above N·C·D·H = 20,480.
    [Theory]
    [InlineData(20, 32, 32, OneDnnRoute.PaddedInput)]   // exactly 20,480: libtorch's slow route; padded 20·34·34 is over
    [InlineData(20, 32, 33, OneDnnRoute.AsIs)]          // 21,120: libtorch picks oneDNN itself
    [InlineData(20, 30, 30, OneDnnRoute.DepthSlabs)]    // padded exactly 20·32·32 = 20,480: not over, so slabs
    [InlineData(21, 30, 30, OneDnnRoute.PaddedInput)]   // padded 21,504
    public void Convolution_route_follows_libtorchs_limit_at_and_around_it(long channels, long depth, long height, OneDnnRoute expected)
    {
        var shape = new long[] { 1, channels, depth, height, 8 };

        Assert.Equal(expected, Policy.ConvolutionRoute(shape, kernel: 3, padding: 1, onCpu: true));
        Assert.Equal(OneDnnRoute.AsIs, (Policy with { ConvolutionRoutes = false }).ConvolutionRoute(shape, kernel: 3, padding: 1, onCpu: true));
    }

    [Theory]
    [InlineData(new long[] { 1, 4, 8, 12, 16 }, true)]
    [InlineData(new long[] { 1, 4, 8, 12, 18 }, false)]
    public void Patch_product_needs_tiling_patches_and_can_be_switched_off(long[] shape, bool expected)
    {
        Assert.Equal(expected, Policy.PatchUsesProduct(shape, patch: 4, onCpu: true));
        Assert.False((Policy with { PatchProduct = false }).PatchUsesProduct(shape, patch: 4, onCpu: true));
    }

    [Theory]
    [InlineData(16_384, true)]
    [InlineData(16_385, false)]
    public void Tokens_run_on_one_thread_up_to_the_limit(long values, bool expected)
    {
        Assert.Equal(expected, Policy.RunsTokensOnOneThread(values));
        Assert.False((Policy with { SingleThreadTokenLimit = 0 }).RunsTokensOnOneThread(values));
    }

    [Theory]
    [InlineData(new long[] { 1, 4, 64, 64, 64 }, true, true)]    // exactly 64³
    [InlineData(new long[] { 1, 4, 64, 64, 65 }, true, false)]
    [InlineData(new long[] { 2, 4, 64, 64, 64 }, false, true)]   // no instance norm: any size
    public void Channels_last_training_follows_the_voxel_limit_for_instance_norm(long[] batchShape, bool instanceNorm, bool expected)
    {
        Assert.Equal(expected, Policy.ChannelsLastPaysForTraining(batchShape, instanceNorm));
        Assert.True((Policy with { ChannelsLastTrainingVoxelLimit = 65L * 64 * 64 }).ChannelsLastPaysForTraining(new long[] { 1, 4, 64, 64, 65 }, true));
        Assert.False(CpuRoutingPolicy.Plain.ChannelsLastPaysForTraining(batchShape, instanceNorm));
    }

    [Fact]
    public void The_plain_policy_makes_the_blocks_compute_as_nn_linear_and_nn_conv3d()
    {
        manual_seed(5);
        using var linearReference = nn.Linear(192, 64);
        manual_seed(5);
        using var linear = new OneDnnLinear(192, 64);
        manual_seed(5);
        using var convReference = nn.Conv3d(64, 16, 3, padding: 1, bias: true);
        manual_seed(5);
        using var conv = new OneDnnConv3d(64, 16, 3, 1, hasBias: true);
        using var tokens = randn(new long[] { 1, 216, 192 });
        using var volume = randn(new long[] { 1, 64, 16, 16, 16 });
        Assert.True(linear.UsesConvolution(tokens.shape, onCpu: true));
        Assert.Equal(OneDnnRoute.PaddedInput, conv.RouteFor(volume.shape, onCpu: true));

        using (CpuRoutingPolicy.Use(CpuRoutingPolicy.Plain))
        {
            Assert.False(linear.UsesConvolution(tokens.shape, onCpu: true));
            Assert.Equal(OneDnnRoute.AsIs, conv.RouteFor(volume.shape, onCpu: true));
            RoutedModuleAssert.SameModule(linearReference, linear, tokens);
            RoutedModuleAssert.SameModule(convReference, conv, volume);
        }

        Assert.Equal(OneDnnRoute.PaddedInput, conv.RouteFor(volume.shape, onCpu: true));
    }

    [Fact]
    public void A_policy_in_use_on_one_thread_leaves_other_threads_alone()
    {
        // Started before the scope opens, so it does not inherit the scope as an async flow would.
        using var opened = new ManualResetEventSlim();
        CpuRoutingPolicy? elsewhere = null;
        var other = new Thread(() =>
        {
            opened.Wait();
            elsewhere = CpuRoutingPolicy.Current;
        });
        other.Start();

        using (CpuRoutingPolicy.Use(CpuRoutingPolicy.Plain))
        {
            opened.Set();
            other.Join();

            Assert.Equal(CpuRoutingPolicy.Default, elsewhere);
            Assert.Same(CpuRoutingPolicy.Plain, CpuRoutingPolicy.Current);
        }

        Assert.Equal(CpuRoutingPolicy.Default, CpuRoutingPolicy.Current);
    }
}
