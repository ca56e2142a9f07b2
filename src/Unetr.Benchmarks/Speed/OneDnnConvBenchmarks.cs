using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using Unetr.Measurement.Speed;
using Unetr.Model.Blocks;
using static TorchSharp.torch;

namespace Unetr.Benchmarks.Speed;

/// <summary>
/// A layer that routes its computation to oneDNN, side by side with libtorch's own layer on the same weights and input
/// (<see cref="BenchSettings.Threads"/> threads). <c>Forward</c> runs in inference mode; <c>Train</c> runs forward and
/// backward with the input's gradient, as inside a network. The ratio column compares each pair.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 3, iterationCount: 15)]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
public abstract class RoutedLayerBenchmarks
{
    private nn.Module<Tensor, Tensor> libTorch = null!;
    private nn.Module<Tensor, Tensor> routed = null!;
    private Tensor input = null!;
    private Tensor upstream = null!;

    /// <summary>The layer's shape, as the derived class's <c>Shapes</c> spell it.</summary>
    [ParamsSource("Shapes")]
    public string Shape { get; set; } = "";

    /// <summary>Builds both layers from the same seed, so they hold the same weights.</summary>
    [GlobalSetup]
    public void Setup()
    {
        BenchSettings.Apply();
        var parts = System.Array.ConvertAll(Shape.Split('-'), long.Parse);
        manual_seed(BenchSettings.Seed);
        libTorch = LibTorchLayer(parts);
        manual_seed(BenchSettings.Seed);
        routed = RoutedLayer(parts);
        input = randn(InputShape(parts));
        using (no_grad())
        {
            using var output = libTorch.call(input);
            upstream = randn_like(output);
        }
    }

    /// <summary>Frees the modules and tensors.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        libTorch.Dispose();
        routed.Dispose();
        input.Dispose();
        upstream.Dispose();
    }

    /// <summary>libtorch's layer, inference.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Forward")]
    public void LibTorchForward() => Forward(libTorch);

    /// <summary>The routed layer, inference.</summary>
    [Benchmark]
    [BenchmarkCategory("Forward")]
    public void OneDnnForward() => Forward(routed);

    /// <summary>libtorch's layer, forward and backward.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Train")]
    public void LibTorchTrain() => Train(libTorch);

    /// <summary>The routed layer, forward and backward.</summary>
    [Benchmark]
    [BenchmarkCategory("Train")]
    public void OneDnnTrain() => Train(routed);

    /// <summary>libtorch's layer for the shape's numbers.</summary>
    protected abstract nn.Module<Tensor, Tensor> LibTorchLayer(long[] shape);

    /// <summary>The routed layer for the shape's numbers, built after the same seed as <see cref="LibTorchLayer"/>.</summary>
    protected abstract nn.Module<Tensor, Tensor> RoutedLayer(long[] shape);

    /// <summary>The input's shape for the shape's numbers.</summary>
    protected abstract long[] InputShape(long[] shape);

    private void Forward(nn.Module<Tensor, Tensor> module)
    {
        using var mode = inference_mode();
        using var output = module.call(input);
    }

    private void Train(nn.Module<Tensor, Tensor> module)
    {
        using var scope = NewDisposeScope();
        module.zero_grad();
        var leaf = input.detach().requires_grad_(true);
        module.call(leaf).backward(new[] { upstream });
    }
}

/// <summary>
/// <see cref="OneDnnConv3d"/>, which <see cref="Layers.Conv"/> uses for every stride-1 3D convolution, against
/// <c>nn.Conv3d</c> at batch 1, at decoder convolutions of the speed networks that libtorch would not give to oneDNN.
/// </summary>
public class OneDnnConvBenchmarks : RoutedLayerBenchmarks
{
    /// <summary>Input channels, output channels, edge of the cubic volume (3×3×3 kernel): the seed layout's first decoder convolution and its 16³ and 8³ stages.</summary>
    public static IEnumerable<string> Shapes => new[] { "4-8-64", "64-64-16", "128-128-8" };

    /// <inheritdoc/>
    protected override nn.Module<Tensor, Tensor> LibTorchLayer(long[] shape) => nn.Conv3d(shape[0], shape[1], 3, padding: 1);

    /// <inheritdoc/>
    protected override nn.Module<Tensor, Tensor> RoutedLayer(long[] shape) => new OneDnnConv3d(shape[0], shape[1], 3, padding: 1, hasBias: true);

    /// <inheritdoc/>
    protected override long[] InputShape(long[] shape) => new[] { 1, shape[0], shape[2], shape[2], shape[2] };
}

/// <summary>
/// <see cref="OneDnnLinear"/>, which every transformer linear uses, against <c>nn.Linear</c> on one sample's tokens:
/// the MONAI BTCV configuration's MLP and fused qkv (216 tokens, 768 wide) and a 192-wide MLP.
/// </summary>
public class OneDnnLinearBenchmarks : RoutedLayerBenchmarks
{
    /// <summary>Tokens, input width, output width.</summary>
    public static IEnumerable<string> Shapes => new[] { "216-768-3072", "216-3072-768", "216-768-2304", "216-192-768" };

    /// <inheritdoc/>
    protected override nn.Module<Tensor, Tensor> LibTorchLayer(long[] shape) => nn.Linear(shape[1], shape[2]);

    /// <inheritdoc/>
    protected override nn.Module<Tensor, Tensor> RoutedLayer(long[] shape) => new OneDnnLinear(shape[1], shape[2]);

    /// <inheritdoc/>
    protected override long[] InputShape(long[] shape) => new[] { 1, shape[0], shape[1] };
}

/// <summary>
/// <see cref="PatchConv3d"/>, which <see cref="Layers.Conv"/> uses for convolutions whose stride is the kernel (the
/// conv patch embedding), against <c>nn.Conv3d</c> with 16³ patches at batch 1: the seed speed network's and the seed
/// preset's embeddings.
/// </summary>
public class PatchConvBenchmarks : RoutedLayerBenchmarks
{
    /// <summary>Input channels, output channels, edge of the cubic volume.</summary>
    public static IEnumerable<string> Shapes => new[] { "4-192-64", "4-768-128" };

    /// <inheritdoc/>
    protected override nn.Module<Tensor, Tensor> LibTorchLayer(long[] shape) => nn.Conv3d(shape[0], shape[1], 16, stride: 16, padding: 0L);

    /// <inheritdoc/>
    protected override nn.Module<Tensor, Tensor> RoutedLayer(long[] shape) => new PatchConv3d(shape[0], shape[1], 16, hasBias: true);

    /// <inheritdoc/>
    protected override long[] InputShape(long[] shape) => new[] { 1, shape[0], shape[2], shape[2], shape[2] };
}
