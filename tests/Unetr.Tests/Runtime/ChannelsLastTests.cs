using System.IO;
using System.Linq;
using Unetr.Model.Blocks;
using Unetr.Model.Checkpoints;
using Unetr.Model.Presets;
using Unetr.Model.Runtime;
using Unetr.Tests.Training;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Runtime;

public sealed class ChannelsLastTests
{
    [Fact]
    public void Convert_lays_convolution_weights_out_channels_last_and_keeps_their_values_and_objects()
    {
        using var network = new TinyMonaiUnetr();
        var before = network.parameters().ToArray();
        var values = before.Select(p => p.detach().clone()).ToArray();

        ChannelsLast.Convert(network);

        var after = network.parameters().ToArray();
        Assert.Equal(before.Select(p => p.Handle), after.Select(p => p.Handle));
        Assert.All(after.Where(p => p.dim() == 5), p => Assert.True(ChannelsLast.Is(p), $"[{string.Join(", ", p.shape)}] strides [{string.Join(", ", p.stride())}]"));
        Assert.Contains(after, p => p.dim() == 5 && p.shape[1] > 1 && p.stride()[1] == 1);
        Assert.All(after.Where(p => p.dim() < 4), p => Assert.True(p.is_contiguous()));
        Assert.All(after.Zip(values), pair => Assert.True(Tensors.Identical(pair.First, pair.Second)));
    }

    [Theory]
    [InlineData(true, new long[] { 2, 1, 32, 32, 32 }, true)]     // the main command's batches
    [InlineData(true, new long[] { 1, 4, 64, 64, 64 }, true)]     // at the limit; channels do not count
    [InlineData(true, new long[] { 2, 1, 64, 64, 64 }, false)]    // over it through the batch size
    [InlineData(true, new long[] { 1, 1, 96, 96, 96 }, false)]    // MONAI BTCV crops: row-major
    [InlineData(false, new long[] { 1, 4, 96, 96, 96 }, true)]    // batch norm keeps channels-last at any size
    public void Channels_last_weights_are_chosen_except_for_instance_norm_on_large_batches(bool instanceNorm, long[] batchShape, bool expected)
    {
        using var network = instanceNorm ? (nn.Module)new TinyMonaiUnetr() : new Unetr.Measurement.Networks.SeedBench64();

        Assert.Equal(expected, ChannelsLast.PaysForTraining(network, batchShape));
    }

    [Fact]
    public void Forward_agrees_with_the_row_major_layout_to_rounding()
    {
        manual_seed(5);
        using var rowMajor = new TinyMonaiUnetr();
        using var channelsLast = new TinyMonaiUnetr();
        channelsLast.load_state_dict(rowMajor.state_dict());
        ChannelsLast.Convert(channelsLast);
        rowMajor.eval();
        channelsLast.eval();
        using var input = randn(TinyMonaiUnetr.InputShape.Prepend(1).ToArray());

        using var mode = inference_mode();
        using var expected = rowMajor.call(input);
        using var actual = channelsLast.call(input);

        Assert.Equal(expected.shape, actual.shape);
        Assert.True((expected - actual).abs().max().item<float>() <= 1e-4);
        Assert.True(expected.abs().max().item<float>() > 1e-2, "the logits are not all near zero");
    }

    [Fact]
    public void Weights_saved_from_a_channels_last_network_load_into_a_row_major_one()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("unetr-channels-last-").FullName, "weights.safetensors");
        using var channelsLast = ChannelsLast.Convert(new TinyMonaiUnetr());
        using var rowMajor = new TinyMonaiUnetr();

        StateDictWriter.Save(channelsLast, path);
        StateDictLoader.Load(rowMajor, path);

        Assert.All(channelsLast.parameters().Zip(rowMajor.parameters()), pair => Assert.True(Tensors.Identical(pair.First, pair.Second)));
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }

    [Fact]
    public void Of_copies_only_tensors_of_four_or_five_dimensions_that_are_not_channels_last_yet()
    {
        using var volume = arange(2 * 3 * 4 * 5 * 6, dtype: float32).reshape(2, 3, 4, 5, 6);
        using var image = arange(2 * 3 * 4 * 5, dtype: float32).reshape(2, 3, 4, 5);
        using var tokens = zeros(2, 3, 4);

        using var volumeLast = ChannelsLast.Of(volume);
        using var imageLast = ChannelsLast.Of(image);

        Assert.False(ChannelsLast.Is(volume));
        Assert.Equal(new long[] { 360, 1, 90, 18, 3 }, volumeLast.stride());
        Assert.Equal(new long[] { 60, 1, 15, 3 }, imageLast.stride());
        Assert.True(Tensors.Identical(volume, volumeLast));
        Assert.True(Tensors.Identical(image, imageLast));
        Assert.Same(volumeLast, ChannelsLast.Of(volumeLast));
        Assert.Same(tokens, ChannelsLast.Of(tokens));
        Assert.False(ChannelsLast.Is(tokens));
    }

    [Fact]
    public void ConvertForTraining_with_a_limit_of_32_channels_converts_the_narrow_layers_and_tells_wider_convolutions_to_take_row_major_inputs()
    {
        // TinyMonaiUnetr's widths 8–64 and its 96-wide tokens give both kinds: 8 → 16 … 32 → 32 narrow, 64 and 96 wide.
        using var network = new TinyMonaiUnetr();
        var before = network.parameters().ToArray();
        var values = before.Select(p => p.detach().clone()).ToArray();

        using (CpuRoutingPolicy.Use(Mixed))
        {
            ChannelsLast.ConvertForTraining(network);
        }

        var weights = network.parameters().Where(p => p.dim() == 5).ToArray();
        var narrow = weights.Where(p => System.Math.Max(p.shape[0], p.shape[1]) <= 32).ToArray();
        // A weight with one input channel, or a 1×1×1 kernel, has the same strides in both layouts.
        var wide = weights.Where(p => System.Math.Max(p.shape[0], p.shape[1]) > 32 && p.shape[1] > 1 && p.shape.Skip(2).Any(size => size > 1)).ToArray();
        Assert.NotEmpty(narrow);
        Assert.NotEmpty(wide);
        Assert.All(narrow, p => Assert.True(ChannelsLast.Is(p), $"narrow [{string.Join(", ", p.shape)}] strides [{string.Join(", ", p.stride())}]"));
        Assert.All(wide, p => Assert.False(ChannelsLast.Is(p), $"wide [{string.Join(", ", p.shape)}] is channels-last"));
        Assert.All(wide, p => Assert.True(p.is_contiguous()));
        Assert.Equal(before.Select(p => p.Handle), network.parameters().Select(p => p.Handle));
        Assert.All(network.parameters().Zip(values), pair => Assert.True(Tensors.Identical(pair.First, pair.Second)));

        var convolutions = network.modules().OfType<OneDnnConv3d>().ToArray();
        Assert.All(convolutions, c => Assert.Equal(System.Math.Max(WeightOf(c).shape[0], WeightOf(c).shape[1]) > 32, c.RowMajorInTraining));
        Assert.Contains(convolutions, c => c.RowMajorInTraining && WeightOf(c).shape.Skip(2).All(size => size == 1));
        Assert.Contains(convolutions, c => c.RowMajorInTraining);
        Assert.Contains(convolutions, c => !c.RowMajorInTraining);
    }

    [Fact]
    public void ConvertForTraining_under_the_default_policy_converts_every_layer()
    {
        using var network = new TinyMonaiUnetr();

        ChannelsLast.ConvertForTraining(network);

        Assert.All(network.parameters().Where(p => p.dim() == 5), p => Assert.True(ChannelsLast.Is(p)));
        Assert.All(network.modules().OfType<OneDnnConv3d>(), c => Assert.False(c.RowMajorInTraining));
    }

    [Fact]
    public void A_wide_convolution_in_training_computes_a_channels_last_input_row_major_with_the_same_gradients()
    {
        manual_seed(11);
        using var convolution = new OneDnnConv3d(64, 48, 3, 1, hasBias: true);
        using (CpuRoutingPolicy.Use(Mixed))
        {
            ChannelsLast.ConvertForTraining(convolution);
        }

        Assert.True(convolution.RowMajorInTraining);
        convolution.train();
        var weight = WeightOf(convolution);
        var bias = convolution.parameters().Last();
        using var values = randn(new long[] { 2, 64, 6, 5, 7 });
        using var input = ChannelsLast.Of(values).detach().requires_grad_(true);
        using var gradient = randn(new long[] { 2, 48, 6, 5, 7 });

        using var output = convolution.call(input);
        output.backward(new[] { gradient });

        Assert.True(output.is_contiguous(), "the wide layer computed row-major");
        using var input64 = values.to(float64).requires_grad_(true);
        using var weight64 = weight.detach().to(float64).requires_grad_(true);
        using var bias64 = bias.detach().to(float64).requires_grad_(true);
        using var expected = nn.functional.conv3d(input64, weight64, bias64, padding: new long[] { 1, 1, 1 });
        expected.backward(new[] { gradient.to(float64) });
        AssertClose(expected, output);
        AssertClose(input64.grad!, input.grad!);
        AssertClose(weight64.grad!, weight.grad!);
        AssertClose(bias64.grad!, bias.grad!);

        // Without the flag (a network trained without ConvertForTraining) the same call stays channels-last, and in
        // evaluation without gradients the flag changes nothing either.
        convolution.RowMajorInTraining = false;
        using (var plain = convolution.call(input))
        {
            Assert.True(ChannelsLast.Is(plain) && !plain.is_contiguous());
        }

        convolution.RowMajorInTraining = true;
        convolution.eval();
        using (no_grad())
        using (var evaluated = convolution.call(input))
        {
            Assert.False(evaluated.is_contiguous());
        }
    }

    [Fact]
    public void A_train_step_with_mixed_layouts_gives_the_row_major_networks_gradients()
    {
        manual_seed(12);
        using var rowMajor = new TinyMonaiUnetr();
        using var mixed = new TinyMonaiUnetr();
        mixed.load_state_dict(rowMajor.state_dict());
        using (CpuRoutingPolicy.Use(Mixed))
        {
            ChannelsLast.ConvertForTraining(mixed);
        }

        Assert.Contains(mixed.modules().OfType<OneDnnConv3d>(), c => c.RowMajorInTraining);
        using var input = randn(TinyMonaiUnetr.InputShape.Prepend(2).ToArray());
        using var labels = randint(3, new long[] { 2, 32, 32, 32 }, dtype: ScalarType.Int64);

        foreach (var network in new nn.Module<Tensor, Tensor>[] { rowMajor, mixed })
        {
            network.train();
            using var loss = nn.functional.cross_entropy(network.call(input), labels);
            loss.backward();
        }

        // Biases ahead of an instance norm have gradients of rounding size only (zero in exact arithmetic); they are
        // held to 1e-4 of the largest gradient of the network instead of their own.
        var largest = rowMajor.parameters().Max(p => p.grad!.abs().max().item<float>());
        foreach (var (expected, actual) in rowMajor.parameters().Zip(mixed.parameters()))
        {
            AssertClose(expected.grad!, actual.grad!, floor: largest);
        }
    }

    private static readonly CpuRoutingPolicy Mixed = CpuRoutingPolicy.Default with { ChannelsLastTrainingMaximumChannels = 32 };

    private static Tensor WeightOf(OneDnnConv3d convolution) => convolution.parameters().First();

    // Within 1e-4 of the expected tensor's largest magnitude, or of floor if that is larger (float32 sums in another order).
    private static void AssertClose(Tensor expected, Tensor actual, double floor = 1e-12)
    {
        Assert.Equal(expected.shape, actual.shape);
        var scale = System.Math.Max(expected.abs().max().to(float64).item<double>(), floor);
        var difference = (expected.to(float64) - actual.to(float64)).abs().max().item<double>();
        Assert.True(difference <= 1e-4 * scale, $"max |difference| {difference:E2} against largest magnitude {scale:E2}");
    }
}
