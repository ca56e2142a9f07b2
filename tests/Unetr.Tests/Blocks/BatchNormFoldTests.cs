using System;
using System.Linq;
using Unetr.Model.Blocks.Seed;
using Unetr.Model.Runtime;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Blocks;

/// <summary>
/// The seed blocks fold BatchNorm into their convolution in evaluation mode without gradients; every expected value here
/// is composed from the block's own tensors by plain libtorch calls and the BatchNorm formula written out.
/// </summary>
public sealed class BatchNormFoldTests
{
    [Fact]
    public void Conv_block_in_eval_mode_equals_conv_then_batch_norm_with_random_running_statistics_then_relu()
    {
        manual_seed(11);
        using var block = new ConvBlock(3, 6, 40);
        using var input = randn(new long[] { 1, 6, 9, 10, 11 });
        RandomizeNorm(block, "block.1.");
        block.eval();

        using var expected = Reference(block, input, "block.0.block.", "block.1.");
        using var output = InferenceForward(block, input);

        AssertClose(expected, output);
    }

    [Fact]
    public void Deconv_block_in_eval_mode_equals_upsampling_conv_then_batch_norm_then_relu()
    {
        manual_seed(12);
        using var block = new DeconvBlock(3, 24, 32);
        using var input = randn(new long[] { 1, 24, 4, 5, 6 });
        RandomizeNorm(block, "block.2.");
        block.eval();

        using var upsampled = Reference(block, input, upsampling: "block.0.block.");
        using var expected = Reference(block, upsampled, "block.1.block.", "block.2.");
        using var output = InferenceForward(block, input);

        AssertClose(expected, output);
    }

    [Fact]
    public void Conv_block_in_2d_eval_mode_equals_the_composition()
    {
        manual_seed(13);
        using var block = new ConvBlock(2, 3, 8);
        using var input = randn(new long[] { 2, 3, 12, 9 });
        RandomizeNorm(block, "block.1.");
        block.eval();

        using var expected = Reference(block, input, "block.0.block.", "block.1.");
        using var output = InferenceForward(block, input);

        AssertClose(expected, output);
    }

    [Fact]
    public void Folded_path_matches_the_unfolded_block()
    {
        manual_seed(14);
        using var block = new ConvBlock(3, 16, 24);
        using var input = randn(new long[] { 1, 16, 8, 8, 8 });
        RandomizeNorm(block, "block.1.");
        block.eval();

        using var folded = InferenceForward(block, input);
        Tensor unfolded;
        using (CpuRoutingPolicy.Use(CpuRoutingPolicy.Default with { FoldBatchNorm = false }))
        {
            unfolded = InferenceForward(block, input);
        }

        using (unfolded)
        {
            AssertClose(unfolded, folded);
        }
    }

    [Theory]
    [InlineData("block.1.running_mean")]
    [InlineData("block.1.running_var")]
    [InlineData("block.1.weight")]
    [InlineData("block.1.bias")]
    [InlineData("block.0.block.bias")]
    [InlineData("block.0.block.weight")]
    public void A_change_to_any_folded_tensor_in_eval_mode_is_seen_by_the_next_forward(string key)
    {
        manual_seed(15);
        using var block = new ConvBlock(3, 8, 16);
        using var input = randn(new long[] { 1, 8, 6, 6, 6 });
        RandomizeNorm(block, "block.1.");
        block.eval();
        InferenceForward(block, input).Dispose();

        using (no_grad())
        {
            var tensor = Entry(block, key);
            tensor.mul_(1.5).add_(0.25);
        }

        using var expected = Reference(block, input, "block.0.block.", "block.1.");
        using var output = InferenceForward(block, input);

        AssertClose(expected, output);
    }

    [Fact]
    public void A_loaded_state_dict_is_seen_by_the_next_eval_forward()
    {
        manual_seed(16);
        using var block = new ConvBlock(3, 8, 16);
        using var other = new ConvBlock(3, 8, 16);
        using var input = randn(new long[] { 1, 8, 6, 6, 6 });
        RandomizeNorm(other, "block.1.");
        block.eval();
        InferenceForward(block, input).Dispose();

        block.load_state_dict(other.state_dict());

        using var expected = Reference(other, input, "block.0.block.", "block.1.");
        using var output = InferenceForward(block, input);

        AssertClose(expected, output);
    }

    [Fact]
    public void Training_mode_normalizes_with_batch_statistics_and_updates_the_running_ones()
    {
        manual_seed(17);
        using var block = new ConvBlock(3, 4, 8);
        using var input = randn(new long[] { 2, 4, 5, 5, 5 });
        RandomizeNorm(block, "block.1.");
        block.eval();
        InferenceForward(block, input).Dispose();
        using var runningMean = Entry(block, "block.1.running_mean").clone();
        block.train();

        using var convolved = Convolve(block, input, "block.0.block.");
        using var batchMean = convolved.mean(new long[] { 0, 2, 3, 4 });
        using var batchVar = convolved.var(new long[] { 0, 2, 3, 4 }, unbiased: false);
        using var expected = Normalize(block, convolved, "block.1.", batchMean, batchVar).relu();
        Tensor output;
        using (no_grad())
        {
            output = block.call(input);
        }

        using (output)
        {
            AssertClose(expected, output);
        }

        using var expectedRunning = runningMean * 0.9 + batchMean * 0.1;
        AssertClose(expectedRunning, Entry(block, "block.1.running_mean"));
    }

    [Fact]
    public void Eval_mode_with_gradients_recorded_backpropagates_into_batch_norm_parameters()
    {
        manual_seed(18);
        using var block = new ConvBlock(3, 4, 8);
        using var input = randn(new long[] { 1, 4, 5, 5, 5 });
        RandomizeNorm(block, "block.1.");
        block.eval();

        using var output = block.call(input);
        output.sum().backward();

        var gamma = Entry(block, "block.1.weight");
        Assert.NotNull(gamma.grad);
        Assert.True(gamma.grad!.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void Eval_forward_leaves_the_state_dict_as_it_was()
    {
        manual_seed(19);
        using var block = new ConvBlock(3, 4, 8);
        using var input = randn(new long[] { 1, 4, 5, 5, 5 });
        RandomizeNorm(block, "block.1.");
        var before = block.state_dict().ToDictionary(entry => entry.Key, entry => entry.Value.clone());
        block.eval();

        InferenceForward(block, input).Dispose();

        var after = block.state_dict();
        Assert.Equal(before.Keys, after.Keys);
        foreach (var (key, value) in before)
        {
            Assert.True(value.equal(after[key]).all().item<bool>(), key);
            value.Dispose();
        }
    }

    [Fact]
    public void Only_the_default_policy_folds()
    {
        Assert.True(CpuRoutingPolicy.Default.FoldBatchNorm);
        Assert.False(CpuRoutingPolicy.Plain.FoldBatchNorm);
    }

    private static Tensor InferenceForward(nn.Module<Tensor, Tensor> block, Tensor input)
    {
        using var mode = inference_mode();
        return block.call(input);
    }

    private static Tensor Entry(nn.Module block, string key) =>
        block.named_parameters().Select(p => (p.name, Tensor: (Tensor)p.parameter))
            .Concat(block.named_buffers().Select(b => (b.name, Tensor: b.buffer)))
            .Single(entry => entry.name == key).Tensor;

    // Statistics far from a fresh BatchNorm's (0, 1, 1, 0), so that a fold that ignored any of them would show.
    private static void RandomizeNorm(nn.Module block, string prefix)
    {
        using var mode = no_grad();
        Entry(block, prefix + "running_mean").copy_(randn_like(Entry(block, prefix + "running_mean")) * 0.5);
        Entry(block, prefix + "running_var").copy_(rand_like(Entry(block, prefix + "running_var")) * 2 + 0.1);
        Entry(block, prefix + "weight").copy_(randn_like(Entry(block, prefix + "weight")));
        Entry(block, prefix + "bias").copy_(randn_like(Entry(block, prefix + "bias")));
    }

    private static Tensor Convolve(nn.Module block, Tensor input, string convolution)
    {
        using var mode = no_grad();
        var weight = Entry(block, convolution + "weight");
        var bias = Entry(block, convolution + "bias");
        var padding = (weight.shape[2] - 1) / 2;
        return weight.dim() == 5
            ? nn.functional.conv3d(input, weight, bias, padding: new[] { padding, padding, padding })
            : nn.functional.conv2d(input, weight, bias, padding: new[] { padding, padding });
    }

    // (x − μ) / √(σ² + 1e-5) · γ + β per channel, in double precision.
    private static Tensor Normalize(nn.Module block, Tensor convolved, string norm, Tensor mean, Tensor variance)
    {
        using var scope = NewDisposeScope();
        var shape = Enumerable.Repeat(1L, (int)convolved.dim()).ToArray();
        shape[1] = -1;
        Tensor Channel(Tensor t) => t.to_type(ScalarType.Float64).view(shape);
        var normalized = (convolved.to_type(ScalarType.Float64) - Channel(mean)) / (Channel(variance) + 1e-5).sqrt()
            * Channel(Entry(block, norm + "weight").detach()) + Channel(Entry(block, norm + "bias").detach());
        return normalized.to_type(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    private static Tensor Reference(nn.Module block, Tensor input, string convolution, string norm)
    {
        using var convolved = Convolve(block, input, convolution);
        using var normalized = Normalize(block, convolved, norm, Entry(block, norm + "running_mean"), Entry(block, norm + "running_var"));
        return normalized.relu();
    }

    private static Tensor Reference(nn.Module block, Tensor input, string upsampling)
    {
        using var mode = no_grad();
        return nn.functional.conv_transpose3d(
            input, Entry(block, upsampling + "weight"), Entry(block, upsampling + "bias"), strides: new long[] { 2, 2, 2 });
    }

    private static void AssertClose(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.shape, actual.shape);
        var difference = (expected - actual).abs().max().item<float>();
        Assert.True(difference <= 1e-4, $"max |difference| {difference} > 1e-4");
    }
}
