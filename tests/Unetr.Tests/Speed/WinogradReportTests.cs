using System.Linq;
using Unetr.Measurement.Networks;
using Unetr.Measurement.Speed;
using Xunit;

namespace Unetr.Tests.Speed;

public sealed class WinogradReportTests
{
    // From the compile-time summary: a ConvBlock's parameters are 27·in·out + out (bias) + 2·out (BatchNorm) and its output
    // is [out, edge³]; a DeconvBlock's 3×3×3 convolution is out → out at its output's edge.
    [Fact]
    public void Seed_shapes_are_every_3x3x3_convolution_of_the_seed_decoder_at_64_cubed()
    {
        var expected = SeedUnetr64.Summary.Rows
            .Where(row => row.Kind is "ConvBlock" or "DeconvBlock")
            .Select(row =>
            {
                var outChannels = row.OutputShape[0];
                var inChannels = row.Kind == "ConvBlock" ? (row.Parameters - (3 * outChannels)) / (27 * outChannels) : outChannels;
                return (Shape: $"{inChannels}-{outChannels}@{row.OutputShape[1]}", Block: row.Name);
            })
            .GroupBy(entry => entry.Shape)
            .ToDictionary(group => group.Key, group => string.Join(" ", group.Select(entry => entry.Block).Order()));

        var actual = WinogradReport.SeedShapes.ToDictionary(shape => shape.Name, shape => string.Join(" ", shape.Blocks.Order()));

        Assert.Equal(expected.OrderBy(pair => pair.Key), actual.OrderBy(pair => pair.Key));
    }

    [Theory]
    [InlineData("--rounds", "0")]
    [InlineData("--rounds", "many")]
    [InlineData("--slab-values", "-1")]
    [InlineData("--shapes", "7-7@7")]
    public void Refuses_a_bad_option_before_measuring(string option, string value)
    {
        Assert.Equal(2, WinogradReport.Run(new[] { option, value }));
    }
}
