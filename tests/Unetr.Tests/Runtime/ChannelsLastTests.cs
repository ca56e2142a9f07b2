using System.IO;
using System.Linq;
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
}
