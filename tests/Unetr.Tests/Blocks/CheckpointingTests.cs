using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using Unetr.Dsl;
using Unetr.Model.Blocks;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Blocks;

// Twins that differ only in checkpointing: same modules, same state_dict keys.
[Unetr(Layout = UnetrLayout.Monai, ImageSize = new[] { 16, 16, 16 }, InChannels = 1, OutChannels = 3)]
[PatchEmbedding(PatchSize = 8)]
[Encoder(EmbedDim = 16, Depth = 3, Heads = 2, MlpDim = 32)]
[Decoder(Widths = new[] { 4, 8, 16 })]
public partial class PlainMonaiNet;

[Unetr(Layout = UnetrLayout.Monai, ImageSize = new[] { 16, 16, 16 }, InChannels = 1, OutChannels = 3)]
[PatchEmbedding(PatchSize = 8)]
[Encoder(EmbedDim = 16, Depth = 3, Heads = 2, MlpDim = 32, Checkpointing = true)]
[Decoder(Widths = new[] { 4, 8, 16 })]
public partial class EncoderCheckpointedMonaiNet;

[Unetr(Layout = UnetrLayout.Monai, ImageSize = new[] { 16, 16, 16 }, InChannels = 1, OutChannels = 3)]
[PatchEmbedding(PatchSize = 8)]
[Encoder(EmbedDim = 16, Depth = 3, Heads = 2, MlpDim = 32)]
[Decoder(Widths = new[] { 4, 8, 16 }, Checkpointing = true)]
public partial class DecoderCheckpointedMonaiNet;

[Unetr(Layout = UnetrLayout.Seed, ImageSize = new[] { 16, 16, 16 }, InChannels = 1, OutChannels = 3)]
[PatchEmbedding(PatchSize = 8)]
[Encoder(EmbedDim = 16, Depth = 3, Heads = 2, MlpDim = 32, ExtractLayers = new[] { 1, 2, 3 })]
[Decoder(Widths = new[] { 4, 8, 16 }, StemWidth = 4)]
public partial class PlainSeedNet;

[Unetr(Layout = UnetrLayout.Seed, ImageSize = new[] { 16, 16, 16 }, InChannels = 1, OutChannels = 3)]
[PatchEmbedding(PatchSize = 8)]
[Encoder(EmbedDim = 16, Depth = 3, Heads = 2, MlpDim = 32, ExtractLayers = new[] { 1, 2, 3 }, Checkpointing = true)]
[Decoder(Widths = new[] { 4, 8, 16 }, StemWidth = 4)]
public partial class EncoderCheckpointedSeedNet;

[Unetr(Layout = UnetrLayout.Seed, ImageSize = new[] { 16, 16, 16 }, InChannels = 1, OutChannels = 3)]
[PatchEmbedding(PatchSize = 8)]
[Encoder(EmbedDim = 16, Depth = 3, Heads = 2, MlpDim = 32, ExtractLayers = new[] { 1, 2, 3 })]
[Decoder(Widths = new[] { 4, 8, 16 }, StemWidth = 4, Checkpointing = true)]
public partial class DecoderCheckpointedSeedNet;

[Unetr(Layout = UnetrLayout.Seed, ImageSize = new[] { 16, 16, 16 }, InChannels = 1, OutChannels = 3)]
[PatchEmbedding(PatchSize = 8)]
[Encoder(EmbedDim = 16, Depth = 3, Heads = 2, MlpDim = 32, ExtractLayers = new[] { 1, 2, 3 }, Dropout = 0.1, Checkpointing = true)]
[Decoder(Widths = new[] { 4, 8, 16 }, StemWidth = 4)]
public partial class CheckpointedWithDropoutNet;

public sealed class CheckpointingTests
{
    public static TheoryData<string, int, int> Twins => new()
    {
        // Encoder: one recomputation per transformer block (3), each one sample at a time (no batch norm in them).
        { nameof(EncoderCheckpointedMonaiNet), 3, 3 },
        { nameof(EncoderCheckpointedSeedNet), 3, 3 },

        // Decoder: every stage of the convolutional path. MONAI encoder1–3, decoder4–2, out (instance norm: one sample
        // at a time); seed: the deepest upsampler (a transposed convolution alone: one sample at a time), two skips,
        // two upsamplers, decoder0, decoder0_header (batch norm: the whole batch at once).
        { nameof(DecoderCheckpointedMonaiNet), 7, 7 },
        { nameof(DecoderCheckpointedSeedNet), 7, 1 },
    };

    [Theory]
    [MemberData(nameof(Twins))]
    public void Checkpointed_network_has_the_plain_networks_gradients(string name, int recomputedCalls, int samplewise)
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(11);
        var seed = name.Contains("Seed", StringComparison.Ordinal);
        using var plain = seed ? (nn.Module<Tensor, Tensor>)new PlainSeedNet() : new PlainMonaiNet();
        using var checkpointed = Create(name);
        checkpointed.load_state_dict(plain.state_dict());

        // In float64, so that 1e-6 measures the method and not float32's rounding of sums taken in another order
        // (in float32 they differed by up to 3.8e-6, from sums taken in another order).
        plain.to(ScalarType.Float64);
        checkpointed.to(ScalarType.Float64);
        var input = torch.randn(new long[] { 2, 1, 16, 16, 16 }, ScalarType.Float64);
        var weights = torch.randn(new long[] { 2, 3, 16, 16, 16 }, ScalarType.Float64);

        var expected = Gradients(plain, input, weights, out var expectedInput);
        var before = Checkpoint.Recomputations;
        var samplewiseBefore = Checkpoint.SamplewiseRecomputations;
        var actual = Gradients(checkpointed, input, weights, out var actualInput);

        Assert.Equal(recomputedCalls, Checkpoint.Recomputations - before);
        Assert.Equal(samplewise, Checkpoint.SamplewiseRecomputations - samplewiseBefore);
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (parameter, gradient) in expected)
        {
            // A parameter the forward never uses (the seed layout's encoder_norm) has no gradient on either side.
            Assert.Equal(gradient is null, actual[parameter] is null);
            if (gradient is not null)
            {
                var difference = (actual[parameter]! - gradient).abs().max().item<double>();
                Assert.True(difference <= 1e-6, $"{parameter}: max |difference| {difference:E2}");
            }
        }

        var inputDifference = (actualInput - expectedInput).abs().max().item<double>();
        Assert.True(inputDifference <= 1e-6, $"gradient of the input: max |difference| {inputDifference:E2}");

        // The recomputation put batch norm's running statistics back: one batch counted once.
        var plainState = plain.state_dict();
        foreach (var (key, value) in checkpointed.state_dict().Where(kv => kv.Key.Contains("running", StringComparison.Ordinal) || kv.Key.Contains("num_batches", StringComparison.Ordinal)))
        {
            Assert.True(value.to(ScalarType.Float64).allclose(plainState[key].to(ScalarType.Float64), rtol: 0, atol: 0), $"{key} differs after one step");
        }
    }

    [Fact]
    public void Checkpointing_runs_no_recomputation_in_eval_mode()
    {
        using var scope = NewDisposeScope();
        using var network = new EncoderCheckpointedSeedNet();
        network.eval();
        var input = torch.randn(new long[] { 1, 1, 16, 16, 16 }, requires_grad: true);
        var before = Checkpoint.Recomputations;

        network.call(input).sum().backward();

        Assert.Equal(0, Checkpoint.Recomputations - before);
        Assert.True(input.grad is not null, "the input still gets its gradient");
    }

    [Fact]
    public void Checkpointing_with_dropout_is_refused_with_the_reason()
    {
        var error = Assert.Throws<ArgumentException>(() => new CheckpointedWithDropoutNet());
        Assert.Contains("cannot repeat their dropout masks", error.Message, StringComparison.Ordinal);
    }

    private static nn.Module<Tensor, Tensor> Create(string name) => name switch
    {
        nameof(EncoderCheckpointedMonaiNet) => new EncoderCheckpointedMonaiNet(),
        nameof(DecoderCheckpointedMonaiNet) => new DecoderCheckpointedMonaiNet(),
        nameof(EncoderCheckpointedSeedNet) => new EncoderCheckpointedSeedNet(),
        nameof(DecoderCheckpointedSeedNet) => new DecoderCheckpointedSeedNet(),
        _ => throw new ArgumentException(name, nameof(name)),
    };

    // One training-mode forward and backward of a weighted sum of the logits; the gradients by parameter name.
    private static Dictionary<string, Tensor?> Gradients(nn.Module<Tensor, Tensor> network, Tensor input, Tensor weights, out Tensor inputGradient)
    {
        network.train();
        network.zero_grad();
        var x = input.detach().requires_grad_(true);
        (network.call(x) * weights).sum().backward();
        inputGradient = x.grad!.clone();
        return network.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad?.clone());
    }
}
