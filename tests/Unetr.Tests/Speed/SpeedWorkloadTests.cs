using System;
using System.Linq;
using TorchSharp;
using Unetr.Measurement.Networks;
using Unetr.Measurement.Speed;
using Unetr.Model.Presets;
using Xunit;

namespace Unetr.Tests.Speed;

public sealed class SpeedWorkloadTests
{
    private static readonly BenchNetwork Tiny = new(
        nameof(TinyMonaiUnetr), TinyMonaiUnetr.InputShape, TinyMonaiUnetr.OutputShape[0], TinyMonaiUnetr.MultiplyAccumulates, () => new TinyMonaiUnetr());

    [Fact]
    public void Train_step_lowers_the_loss_on_its_fixed_batch()
    {
        torch.manual_seed(3);
        using var workload = new TrainStepWorkload(Tiny.Create(), Tiny);

        var losses = Enumerable.Range(0, 6).Select(_ => workload.Run()).ToArray();

        Assert.All(losses, loss => Assert.True(float.IsFinite(loss)));
        Assert.True(losses[^1] < losses[0], $"losses: {string.Join(", ", losses)}");
    }

    [Fact]
    public void Timed_train_steps_report_four_parts_and_still_train()
    {
        torch.manual_seed(3);
        using var workload = new TrainStepWorkload(Tiny.Create(), Tiny);
        var before = workload.Run();

        var parts = Enumerable.Range(0, 5).Select(_ => workload.RunTimedParts()).ToArray();

        Assert.All(parts, p => Assert.Equal(4, p.Length));
        Assert.All(parts.SelectMany(p => p), seconds => Assert.InRange(seconds, 0.0, 60.0));
        Assert.True(parts.All(p => p[1] > 0 && p[2] > 0), "forward and backward take measurable time");
        Assert.True(workload.Run() < before, "the timed steps updated the weights like untimed ones");
    }

    [Fact]
    public void Forward_workload_returns_logits_of_the_output_shape_without_autograd()
    {
        torch.manual_seed(3);
        using var workload = new ForwardWorkload(Tiny.Create(), Tiny);

        using var logits = workload.Run();

        Assert.Equal(new long[] { 1, 3, 32, 32, 32 }, logits.shape);
        Assert.False(logits.requires_grad);
    }

    [Theory]
    [InlineData(nameof(SeedBench64))]
    [InlineData(nameof(MonaiBench96))]
    [InlineData(nameof(HandWrittenMonaiBench96))]
    public void Every_benchmark_parameter_names_a_known_network(string name) =>
        Assert.Equal(name, BenchNetwork.Named(name).Name);

    [Fact]
    public void Benchmark_network_sets_are_chosen_by_environment_variable()
    {
        var previous = Environment.GetEnvironmentVariable("UNETR_BENCH_NETWORKS");
        try
        {
            Environment.SetEnvironmentVariable("UNETR_BENCH_NETWORKS", null);
            Assert.Equal(new[] { nameof(SeedBench64), nameof(MonaiBench96), nameof(HandWrittenMonaiBench96) }, BenchNetwork.Selected());

            Environment.SetEnvironmentVariable("UNETR_BENCH_NETWORKS", "presets, TinyMonaiUnetr ,grid");
            var chosen = BenchNetwork.Selected().ToArray();
            Assert.Equal(new[] { "SeedUnetr", "MonaiBtcvUnetr", "TinyMonaiUnetr" }, chosen.Take(3));
            Assert.Equal(3 + Unetr.Measurement.Ablation.AblationGrid.All.Count, chosen.Length);
            Assert.Equal(Unetr.Measurement.Ablation.AblationGrid.All[0].Name, chosen[3]);

            Environment.SetEnvironmentVariable("UNETR_BENCH_NETWORKS", "NoSuchNet");
            var error = Assert.Throws<ArgumentException>(() => BenchNetwork.Selected().ToArray());
            Assert.Contains("Unknown network 'NoSuchNet'", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("UNETR_BENCH_NETWORKS", previous);
        }
    }

    [Fact]
    public void Grid_and_preset_networks_keep_their_compile_time_facts()
    {
        var baseline = BenchNetwork.Named(Unetr.Measurement.Ablation.AblationGrid.All[0].Name);
        Assert.Equal(Unetr.Measurement.Ablation.AblationGrid.All[0].Summary.MultiplyAccumulates, baseline.MultiplyAccumulates);
        var btcv = BenchNetwork.Named(nameof(Unetr.Model.Presets.MonaiBtcvUnetr));
        Assert.Equal(new long[] { 1, 96, 96, 96 }, btcv.InputShape);
        Assert.Equal(14, btcv.Classes);
    }

    [Fact]
    public void Monai_speed_network_is_the_btcv_preset()
    {
        // Same layers, shapes, parameters and MACs as the MonaiBtcvUnetr preset: only the class name differs.
        Assert.Equal(MonaiBtcvUnetr.MultiplyAccumulates, MonaiBench96.MultiplyAccumulates);
        Assert.Equal(
            MonaiBtcvUnetr.Summary.ToString().Replace(nameof(MonaiBtcvUnetr), "?", StringComparison.Ordinal),
            MonaiBench96.Summary.ToString().Replace(nameof(MonaiBench96), "?", StringComparison.Ordinal));
    }

    [Fact]
    public void Pytorch_cases_describe_the_declared_networks_shapes()
    {
        Assert.Equal(SeedBench64.InputShape, new[] { PyTorchCase.Seed.InChannels }.Concat(PyTorchCase.Seed.ImageSize));
        Assert.Equal(SeedBench64.OutputShape, new[] { PyTorchCase.Seed.OutChannels }.Concat(PyTorchCase.Seed.ImageSize));
        Assert.Equal(SeedUnetr64.InputShape, new[] { PyTorchCase.SeedFull.InChannels }.Concat(PyTorchCase.SeedFull.ImageSize));
        Assert.Equal(SeedUnetr64.OutputShape, new[] { PyTorchCase.SeedFull.OutChannels }.Concat(PyTorchCase.SeedFull.ImageSize));
        Assert.Equal(MonaiBench96.InputShape, new[] { PyTorchCase.Monai.InChannels }.Concat(PyTorchCase.Monai.ImageSize));
        Assert.Equal(MonaiBench96.OutputShape, new[] { PyTorchCase.Monai.OutChannels }.Concat(PyTorchCase.Monai.ImageSize));
    }

    [Fact]
    public void Full_seed_speed_network_is_the_seed_preset_at_64_cubed()
    {
        // The seed preset's architecture: its parameters do not depend on the image size except the position embeddings
        // (one row of 768 per token: 512 tokens at 128³, 64 at 64³).
        Assert.Equal(SeedUnetr.Summary.Parameters - (512 - 64) * 768, SeedUnetr64.Summary.Parameters);
        Assert.Equal(new long[] { 4, 64, 64, 64 }, SeedUnetr64.InputShape);
        Assert.Equal(new long[] { 64, 128, 256, 512 }, PyTorchCase.SeedFull.Widths);
        Assert.Equal(32, PyTorchCase.SeedFull.StemWidth);
        Assert.Equal((768, 12, 2048), (PyTorchCase.SeedFull.EmbedDim, PyTorchCase.SeedFull.Heads, PyTorchCase.SeedFull.MlpDim));
    }

    [Fact]
    public void Pytorch_cases_describe_the_declared_networks_encoders()
    {
        using var seed = new SeedBench64();
        using var monai = new MonaiBench96();
        var seedState = seed.state_dict();
        var monaiState = monai.state_dict();

        Assert.Equal(new long[] { PyTorchCase.Seed.MlpDim, PyTorchCase.Seed.EmbedDim }, seedState["transformer.layer.0.mlp.w_1.weight"].shape);
        Assert.Contains($"transformer.layer.{PyTorchCase.Seed.Depth - 1}.attn.query.weight", seedState.Keys);
        Assert.DoesNotContain($"transformer.layer.{PyTorchCase.Seed.Depth}.attn.query.weight", seedState.Keys);
        Assert.Equal(new long[] { PyTorchCase.Monai.MlpDim, PyTorchCase.Monai.EmbedDim }, monaiState["vit.blocks.0.mlp.linear1.weight"].shape);
        Assert.Contains($"vit.blocks.{PyTorchCase.Monai.Depth - 1}.attn.qkv.weight", monaiState.Keys);
        Assert.DoesNotContain($"vit.blocks.{PyTorchCase.Monai.Depth}.attn.qkv.weight", monaiState.Keys);
        Assert.Equal(new long[] { PyTorchCase.Monai.Widths[0], PyTorchCase.Monai.InChannels, 3, 3, 3 }, monaiState["encoder1.layer.conv1.conv.weight"].shape);
        Assert.Equal(new long[] { PyTorchCase.Seed.StemWidth, PyTorchCase.Seed.InChannels, 3, 3, 3 }, seedState["decoder0.0.block.0.block.weight"].shape);
    }
}
