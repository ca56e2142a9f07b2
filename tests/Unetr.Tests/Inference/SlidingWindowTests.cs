using System;
using System.Collections.Generic;
using System.Linq;
using Unetr.Model.Inference;
using Unetr.Tests.Runtime;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Inference;

public sealed class SlidingWindowTests
{
    [Fact]
    public void Equals_a_plain_forward_when_the_volume_is_one_window()
    {
        using var net = new MonaiTiny();
        net.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        manual_seed(3);
        var volume = randn(new long[] { 2, 1, 32, 32, 32 });
        var inferer = new SlidingWindowInferer(new long[] { 32, 32, 32 });

        var windowed = inferer.Run(volume, x => net.call(x));

        Assert.True(windowed.allclose(net.call(volume), rtol: 0, atol: 1e-5));
    }

    [Theory]
    [InlineData(WindowWeighting.Gaussian, 1)]
    [InlineData(WindowWeighting.Gaussian, 3)]
    [InlineData(WindowWeighting.Constant, 2)]
    public void A_voxelwise_network_gives_its_plain_result_on_a_volume_of_many_windows(WindowWeighting weighting, int batchSize)
    {
        // A network that looks at each voxel alone predicts the same value whichever windows cover it, so any
        // blend of overlapping windows must reproduce the plain result exactly.
        using var scope = NewDisposeScope();
        manual_seed(4);
        var volume = randn(new long[] { 2, 3, 20, 13, 9 });
        var inferer = new SlidingWindowInferer(new long[] { 8, 8, 8 }, overlap: 0.5, batchSize: batchSize, weighting: weighting);
        Tensor Voxelwise(Tensor x) => cat(new[] { x.sum(1, keepdim: true), x * 2 }, 1);

        var windowed = inferer.Run(volume, Voxelwise);

        Assert.Equal(new long[] { 2, 4, 20, 13, 9 }, windowed.shape);
        Assert.True(windowed.allclose(Voxelwise(volume), rtol: 1e-5, atol: 1e-5));
    }

    [Fact]
    public void Pads_a_volume_smaller_than_the_window_and_crops_the_result_back()
    {
        using var scope = NewDisposeScope();
        var volume = arange(2 * 5 * 7, dtype: float32).reshape(1, 1, 2, 5, 7);
        var seen = new List<long[]>();
        var inferer = new SlidingWindowInferer(new long[] { 4, 8, 8 });

        var windowed = inferer.Run(volume, x =>
        {
            seen.Add(x.shape);
            return x + 1;
        });

        Assert.All(seen, shape => Assert.Equal(new long[] { 1, 1, 4, 8, 8 }, shape));
        Assert.True(windowed.allclose(volume + 1));
    }

    [Fact]
    public void Covers_every_voxel_with_half_overlapping_windows_flush_with_the_end()
    {
        // 20 voxels, window 8, interval 4: starts 0, 4, 8, 12 (the last flush with the end at 20).
        using var scope = NewDisposeScope();
        var starts = new List<long>();
        var inferer = new SlidingWindowInferer(new long[] { 8 }, overlap: 0.5, batchSize: 1, weighting: WindowWeighting.Constant);
        var volume = arange(20, dtype: float32).reshape(1, 1, 20);

        inferer.Run(volume, x =>
        {
            starts.Add((long)x[0, 0, 0].item<float>());
            return x;
        });

        Assert.Equal(new long[] { 0, 4, 8, 12 }, starts);
    }

    [Fact]
    public void Rejects_a_volume_of_the_wrong_rank_naming_the_expected_shape()
    {
        using var scope = NewDisposeScope();
        var inferer = new SlidingWindowInferer(new long[] { 8, 8, 8 });

        var error = Assert.Throws<ArgumentException>(() => inferer.Run(zeros(new long[] { 1, 8, 8, 8 }), x => x));

        Assert.Contains("[B, C, 3 spatial sizes]", error.Message);
        Assert.Contains("[1, 8, 8, 8]", error.Message);
    }
}
