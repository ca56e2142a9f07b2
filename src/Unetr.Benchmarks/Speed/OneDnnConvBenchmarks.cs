using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using Unetr.Model.Blocks;
using static TorchSharp.torch;

namespace Unetr.Benchmarks.Speed;

/// <summary>
/// <see cref="OneDnnConv3d"/>, which <see cref="Layers.Conv"/> uses for every stride-1 3D convolution, side by side with
/// libtorch's <c>nn.Conv3d</c> on the same weights and input (<see cref="BenchSettings.Threads"/> threads, batch 1) at
/// decoder convolutions of the speed networks that libtorch would not give to oneDNN. <c>Forward</c> runs in inference
/// mode; <c>Train</c> runs forward and backward with the input's gradient, as inside a network. The ratio column
/// compares each pair.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 3, iterationCount: 15)]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
public class OneDnnConvBenchmarks
{
    private nn.Module<Tensor, Tensor> conv3d = null!;
    private nn.Module<Tensor, Tensor> routed = null!;
    private Tensor input = null!;
    private Tensor upstream = null!;

    /// <summary>The convolution: input channels → output channels, 3×3×3, edge of the cubic volume.</summary>
    [ParamsSource(nameof(Shapes))]
    public string Shape { get; set; } = "";

    /// <summary>The values of <see cref="Shape"/>: the seed layout's first decoder convolution and its 16³ and 8³ stages.</summary>
    public static IEnumerable<string> Shapes => new[] { "4-8-64", "64-64-16", "128-128-8" };

    /// <summary>Builds both convolutions from the same seed, so they hold the same weights.</summary>
    [GlobalSetup]
    public void Setup()
    {
        BenchSettings.Apply();
        var parts = System.Array.ConvertAll(Shape.Split('-'), long.Parse);
        manual_seed(BenchSettings.Seed);
        conv3d = nn.Conv3d(parts[0], parts[1], 3, padding: 1);
        manual_seed(BenchSettings.Seed);
        routed = new OneDnnConv3d(parts[0], parts[1], 3, padding: 1, hasBias: true);
        input = randn(new[] { 1, parts[0], parts[2], parts[2], parts[2] });
        upstream = randn(new[] { 1, parts[1], parts[2], parts[2], parts[2] });
    }

    /// <summary>Frees the modules and tensors.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        conv3d.Dispose();
        routed.Dispose();
        input.Dispose();
        upstream.Dispose();
    }

    /// <summary>nn.Conv3d, inference.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Forward")]
    public void Conv3dForward() => Forward(conv3d);

    /// <summary><see cref="OneDnnConv3d"/>, inference.</summary>
    [Benchmark]
    [BenchmarkCategory("Forward")]
    public void OneDnnForward() => Forward(routed);

    /// <summary>nn.Conv3d, forward and backward.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Train")]
    public void Conv3dTrain() => Train(conv3d);

    /// <summary><see cref="OneDnnConv3d"/>, forward and backward.</summary>
    [Benchmark]
    [BenchmarkCategory("Train")]
    public void OneDnnTrain() => Train(routed);

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
