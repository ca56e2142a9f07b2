using System.Collections;
using System.Linq;
using TorchSharp;
using TorchSharp.PyBridge;
using Unetr.Dsl;
using Unetr.Model.Checkpoints;
using Unetr.Tests.Reference;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Runtime;

/// <summary>The seed_tiny fixture's configuration (seed_tiny.json), declared with attributes.</summary>
[Unetr(Layout = UnetrLayout.Seed, ImageSize = new[] { 32, 32, 32 }, InChannels = 2, OutChannels = 3)]
[PatchEmbedding(PatchSize = 16)]
[Encoder(EmbedDim = 48, Depth = 12, Heads = 4, MlpDim = 96, ExtractLayers = new[] { 3, 6, 9, 12 })]
[Decoder(Widths = new[] { 8, 16, 32, 64 }, StemWidth = 4)]
public partial class SeedTiny;

/// <summary>The monai_tiny fixture's configuration (monai_tiny.json), declared with attributes.</summary>
[Unetr(Layout = UnetrLayout.Monai, ImageSize = new[] { 32, 32, 32 }, InChannels = 1, OutChannels = 3)]
[PatchEmbedding(PatchSize = 16, Projection = PatchProjection.Conv)]
[Encoder(EmbedDim = 48, Depth = 12, Heads = 4, MlpDim = 96, ExtractLayers = new[] { 4, 7, 10, 12 }, FinalNorm = true, QkvBias = false)]
[Decoder(Widths = new[] { 8, 16, 32, 64 }, Norm = NormKind.Instance, Residual = true)]
public partial class MonaiTiny;

/// <summary>Generated networks loaded with the PyTorch fixtures' weights reproduce the fixtures' outputs.</summary>
public sealed class ParityTests
{
    private const double Tolerance = 1e-4;

    [Fact]
    public void Seed_tiny_reproduces_the_pytorch_output()
    {
        using var net = new SeedTiny();

        var difference = MaxDifference(net, "seed_tiny");

        Assert.InRange(difference, 0, Tolerance);
    }

    [Fact]
    public void Monai_tiny_reproduces_the_pytorch_output()
    {
        using var net = new MonaiTiny();

        var difference = MaxDifference(net, "monai_tiny");

        Assert.InRange(difference, 0, Tolerance);
    }

    [Fact]
    public void Tiny_networks_have_the_parameter_counts_pytorch_reported()
    {
        // seed_tiny.json "params"; monai_tiny.json "params_without_cross_attention".
        Assert.Equal(1_615_631L, SeedTiny.ParameterCount);
        Assert.Equal(1_060_747L, MonaiTiny.ParameterCount);
        using var seed = new SeedTiny();
        using var monai = new MonaiTiny();
        Assert.Equal(SeedTiny.ParameterCount, seed.parameters().Sum(p => p.numel()));
        Assert.Equal(MonaiTiny.ParameterCount, monai.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void Monai_checkpoint_cross_attention_weights_are_skipped_by_name()
    {
        using var net = new MonaiTiny();

        var result = StateDictLoader.Load(net, ReferenceData.PathOf("monai_tiny.weights.pt"));

        Assert.NotEmpty(result.SkippedKeys);
        Assert.All(result.SkippedKeys, s => Assert.Contains("cross_attn", s.Key));
    }

    private static double MaxDifference(nn.Module<Tensor, Tensor> net, string fixture)
    {
        StateDictLoader.Load(net, ReferenceData.PathOf(fixture + ".weights.pt"));
        net.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var io = PyTorchUnpickler.UnpickleStateDict(ReferenceData.PathOf(fixture + ".io.pt"));
        var input = (Tensor)io["input"]!;
        var expected = (Tensor)io["output"]!;

        var actual = net.call(input);

        Assert.Equal(expected.shape, actual.shape);
        return (actual - expected).abs().max().item<float>();
    }
}
