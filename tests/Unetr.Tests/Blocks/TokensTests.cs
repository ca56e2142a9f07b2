using System;
using System.Linq;
using Unetr.Model.Blocks;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Blocks;

public sealed class TokensTests
{
    [Fact]
    public void ToVolume_places_token_n_at_its_row_major_patch_with_the_first_axis_slowest()
    {
        const int width = 3;
        var grid = new long[] { 2, 3, 4 };
        // Token n, channel e holds 100·n + e.
        var values = Enumerable.Range(0, 24).SelectMany(n => Enumerable.Range(0, width).Select(e => 100f * n + e)).ToArray();
        using var tokens = tensor(values, new long[] { 1, 24, width });

        using var volume = Tokens.ToVolume(tokens, grid);

        Assert.Equal(new long[] { 1, width, 2, 3, 4 }, volume.shape);
        for (var e = 0; e < width; e++)
        for (var i = 0; i < 2; i++)
        for (var j = 0; j < 3; j++)
        for (var k = 0; k < 4; k++)
        {
            var patch = (i * 3 + j) * 4 + k;
            Assert.Equal(100f * patch + e, volume[0, e, i, j, k].item<float>());
        }
    }

    [Fact]
    public void ToVolume_handles_two_dimensional_grids()
    {
        using var tokens = arange(12, dtype: ScalarType.Float32).reshape(1, 6, 2);

        using var volume = Tokens.ToVolume(tokens, new long[] { 2, 3 });

        // Token 4 sits at row 1, column 1; its channels are 8 and 9.
        Assert.Equal(new long[] { 1, 2, 2, 3 }, volume.shape);
        Assert.Equal(8f, volume[0, 0, 1, 1].item<float>());
        Assert.Equal(9f, volume[0, 1, 1, 1].item<float>());
    }

    [Fact]
    public void FromVolume_inverts_ToVolume()
    {
        using var tokens = randn(new long[] { 2, 8, 5 });

        using var roundTrip = Tokens.FromVolume(Tokens.ToVolume(tokens, new long[] { 2, 2, 2 }));

        Assert.True(roundTrip.equal(tokens).all().item<bool>());
    }

    [Fact]
    public void PatchGrid_divides_each_axis_by_the_patch_size()
    {
        Assert.Equal(new long[] { 8, 6, 4 }, Tokens.PatchGrid(new long[] { 128, 96, 64 }, 16));
    }

    [Fact]
    public void PatchGrid_rejects_an_axis_not_divisible_by_the_patch_size()
    {
        var error = Assert.Throws<ArgumentException>(() => Tokens.PatchGrid(new long[] { 96, 100, 96 }, 16));

        Assert.Contains("100", error.Message);
    }
}
