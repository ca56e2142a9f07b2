using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace Unetr.Tests.Generator;

/// <summary>
/// Found by the fuzzer: single mistakes that were reported more than once (or not at all) because a later rule
/// checked a value derived from the mistaken one.
/// </summary>
public sealed class OneMistakeOneErrorTests
{
    // Patch 8, so that the default patch size (16) fits none of its sizes, extract layers or widths.
    private const string Valid2D = """
        using Unetr.Dsl;
        namespace Demo;
        [Unetr(ImageSize = new[] { 24, 40 }, InChannels = 1, OutChannels = 2)]
        [PatchEmbedding(PatchSize = 8)]
        [Encoder(EmbedDim = 16, Depth = 3, Heads = 2)]
        [Decoder(Widths = new[] { 2, 4, 8 })]
        public partial class Net;
        """;

    public static IEnumerable<object[]> Mistakes => new (string Name, string From, string To, string Id, string Message)[]
    {
        ("out-of-range extract layer followed by valid ones", "Heads = 2)", "Heads = 2, ExtractLayers = new[] { 99, 2, 3 })", "UNETR011", "entry 99 is outside 1..3"),
        ("non-positive EmbedDim with MONAI's default MlpDim", "EmbedDim = 16", "EmbedDim = 0", "UNETR015", "EmbedDim must be positive"),
        ("missing [PatchEmbedding] on a network sized for patch 8", "[PatchEmbedding(PatchSize = 8)]\n", string.Empty, "UNETR003", "no [PatchEmbedding]"),
        ("explicit null Widths", "Widths = new[] { 2, 4, 8 }", "Widths = null", "UNETR014", "Widths has 0 entries"),
    }.Select(m => new object[] { m.Name, m.From, m.To, m.Id, m.Message });

    [Theory]
    [MemberData(nameof(Mistakes))]
    public void One_mistake_gives_exactly_one_error(string mistake, string from, string to, string id, string message)
    {
        var source = Valid2D.Replace(from, to);
        Assert.True(source != Valid2D, "the mistake was not applied: " + mistake);

        var run = GeneratorHarness.Run(source);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Contains(message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Seed_network_without_widths_is_not_also_told_its_default_stem_width_is_zero()
    {
        var source = Valid2D
            .Replace("InChannels = 1,", "InChannels = 1, Layout = UnetrLayout.Seed,")
            .Replace("Widths = new[] { 2, 4, 8 }", "Widths = []");

        var run = GeneratorHarness.Run(source);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("UNETR014", diagnostic.Id);
    }
}
