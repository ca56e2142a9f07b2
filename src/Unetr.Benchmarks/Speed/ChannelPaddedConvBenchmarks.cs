using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Unetr.Model.Blocks;
using static TorchSharp.torch;

namespace Unetr.Benchmarks.Speed;

/// <summary>
/// <see cref="ChannelPaddedConv3d"/>, which <see cref="Layers.Conv"/> uses for 2 to 7 input channels, side by side with
/// libtorch's <c>nn.Conv3d</c> on the same weights and input (inference mode, <see cref="BenchSettings.Threads"/>
/// threads) at the seed layout's first decoder convolution (4 → 8 channels, 3×3×3, 64³); the ratio column compares them.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class ChannelPaddedConvBenchmarks
{
    private nn.Module<Tensor, Tensor> conv3d = null!;
    private nn.Module<Tensor, Tensor> padded = null!;
    private Tensor fewChannels = null!;

    /// <summary>Builds both from the same seed, so they hold the same weights.</summary>
    [GlobalSetup]
    public void Setup()
    {
        BenchSettings.Apply();
        manual_seed(BenchSettings.Seed);
        conv3d = nn.Conv3d(4, 8, 3, padding: 1);
        manual_seed(BenchSettings.Seed);
        padded = new ChannelPaddedConv3d(4, 8, 3, stride: 1, padding: 1, hasBias: true);
        fewChannels = randn(new long[] { 1, 4, 64, 64, 64 });
    }

    /// <summary>Frees the modules and inputs.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        conv3d.Dispose();
        padded.Dispose();
        fewChannels.Dispose();
    }

    /// <summary>nn.Conv3d, 4 → 8 channels, 3×3×3, 64³.</summary>
    [Benchmark(Baseline = true)]
    public void Conv3d4To8() => Run(conv3d, fewChannels);

    /// <summary><see cref="ChannelPaddedConv3d"/>, the same convolution.</summary>
    [Benchmark]
    public void ChannelPadded4To8() => Run(padded, fewChannels);

    private static void Run(nn.Module<Tensor, Tensor> module, Tensor input)
    {
        using var mode = inference_mode();
        using var output = module.call(input);
    }
}
