using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Unetr.Generators.Diagnostics;
using Xunit;

namespace Unetr.Tests.Generator;

/// <summary>Each impossible declaration is one error, with its own ID, on the argument that causes it.</summary>
public sealed class DiagnosticTests
{
    private const string Usings = "using Unetr.Dsl;\nnamespace Demo;\n";

    private static string Declaration(
        string unetr = "Layout = UnetrLayout.Monai, ImageSize = new[] { 32, 32, 32 }, InChannels = 1, OutChannels = 3",
        string patch = "PatchSize = 16",
        string encoder = "EmbedDim = 48, Depth = 4, Heads = 4, MlpDim = 96",
        string decoder = "Widths = new[] { 8, 16, 32, 64 }",
        string declaration = "public partial class Net;") =>
        Usings + $"[Unetr({unetr})]\n[PatchEmbedding({patch})]\n[Encoder({encoder})]\n[Decoder({decoder})]\n{declaration}\n";

    public static IEnumerable<object[]> Cases => new (string Id, string Source, string Message)[]
    {
        ("UNETR001", Declaration(declaration: "public class [|Net|];"), "'Net' is not partial; add the 'partial' modifier"),
        ("UNETR002", Usings + "public partial class Outer<T>\n{\n" + Declaration(declaration: "public partial class [|Net|];").Replace(Usings, string.Empty) + "}\n", "nested in the generic type 'Outer'"),
        ("UNETR003", Usings + "[[|Unetr(ImageSize = new[] { 32, 32, 32 }, InChannels = 1, OutChannels = 3)|]]\n[PatchEmbedding(PatchSize = 16)]\n[Encoder(EmbedDim = 48, Heads = 4)]\npublic partial class Net;\n", "has [Unetr] but no [Decoder]"),
        ("UNETR004", Declaration(unetr: "ImageSize = new[] { 32, 32, 32 }, OutChannels = 3").Replace("[Unetr(", "[[|Unetr(").Replace("OutChannels = 3)]", "OutChannels = 3)|]]"), "[Unetr] needs InChannels"),
        ("UNETR005", Declaration(unetr: "[|ImageSize = new[] { 32, 32, 32, 32 }|], InChannels = 1, OutChannels = 3"), "ImageSize has 4 entries; expected 2 (a 2D network) or 3 (a 3D network)"),
        ("UNETR006", Declaration(unetr: "ImageSize = new[] { 32, 32, 32 }, [|SpatialDims = 2|], InChannels = 1, OutChannels = 3"), "SpatialDims is 2 but ImageSize has 3 entries"),
        ("UNETR007", Declaration(patch: "[|PatchSize = 12|]"), "PatchSize 12 is not supported; expected a power of two from 4 to 32"),
        ("UNETR008", Declaration(unetr: "ImageSize = new[] { 32, [|40|], 32 }, InChannels = 1, OutChannels = 3"), "ImageSize[1] = 40 is not divisible by PatchSize 16; the nearest valid sizes are 32 and 48"),
        ("UNETR009", Declaration(encoder: "EmbedDim = 48, Depth = 4, [|Heads = 5|], MlpDim = 96"), "EmbedDim 48 is not divisible by Heads 5; the nearest head counts that divide it are 4 or 6"),
        ("UNETR010", Declaration(encoder: "EmbedDim = 48, Depth = 4, Heads = 4, [|ExtractLayers = new[] { 2, 3, 4 }|]"), "ExtractLayers has 3 entries; PatchSize 16 needs exactly 4"),
        ("UNETR011", Declaration(encoder: "EmbedDim = 48, Depth = 4, Heads = 4, ExtractLayers = new[] { [|0|], 2, 3, 4 }"), "ExtractLayers entry 0 is outside 1..4 (Depth)"),
        ("UNETR012", Declaration(encoder: "EmbedDim = 48, Depth = 4, Heads = 4, ExtractLayers = new[] { 2, [|1|], 3, 4 }"), "ExtractLayers must be strictly increasing, but 1 follows 2"),
        ("UNETR013", Declaration(encoder: "EmbedDim = 48, Depth = 5, Heads = 4, ExtractLayers = new[] { 1, 2, 3, [|4|] }"), "The last extract layer is 4 but Depth is 5"),
        ("UNETR014", Declaration(decoder: "[|Widths = new[] { 8, 16, 32 }|]"), "Widths has 3 entries; PatchSize 16 needs exactly 4"),
        ("UNETR015", Declaration(unetr: "ImageSize = new[] { 32, 32, 32 }, InChannels = 1, [|OutChannels = 0|]"), "OutChannels must be positive; got 0"),
        ("UNETR016", Declaration(encoder: "EmbedDim = 48, Depth = 4, Heads = 4, [|Dropout = 1.5|]"), "Dropout 1.5 is outside [0, 1]"),
        ("UNETR017", Declaration(unetr: "Layout = UnetrLayout.Seed, ImageSize = new[] { 32, 32, 32 }, InChannels = 1, OutChannels = 3", decoder: "Widths = new[] { 8, 16, 32, 64 }, [|Norm = NormKind.Instance|]"), "The Seed layout cannot express Norm = Instance"),
        ("UNETR019", Declaration(decoder: "Widths = new[] { 8, 16, 32, 64 }, [|Norm = (NormKind)7|]"), "Norm = 7 is not a defined NormKind value; use NormKind.Batch or NormKind.Instance"),
        ("UNETR020", Declaration(declaration: "public static partial class [|Net|];"), "'Net' cannot become the generated TorchSharp Module<Tensor, Tensor>: it is static"),
        ("UNETR021", Declaration(declaration: "[Sweep([|\"Depht\"|], 6)]\npublic partial class Net;"), "[Sweep] names 'Depht', which is not a property of [Unetr], [PatchEmbedding], [Encoder] or [Decoder]"),
        ("UNETR022", Declaration(declaration: "[Sweep(nameof(EncoderAttribute.Depth), [|\"12\"|])]\npublic partial class Net;"), "[Sweep(Depth)] value \"12\" is of type string; Depth takes an int"),
        ("UNETR023", Declaration(declaration: "[Sweep(nameof(PatchEmbeddingAttribute.PatchSize), [|8|])]\npublic partial class Net;"), "Sweep variant 'Net.PatchSize8' (PatchSize = 8) is impossible: Widths has 4 entries; PatchSize 8 needs exactly 3, one per decoder stage, e.g. { 16, 32, 64 } (UNETR014)"),
        ("UNETR024", Declaration(declaration: "[Sweep(nameof(EncoderAttribute.Depth), 6, [|6|])]\npublic partial class Net;"), "Sweep variant 'Net.Depth6' (Depth = 6) cannot be generated: another variant of this declaration has the same name"),
        ("UNETR025", Declaration(declaration: "[Sweep(nameof(EncoderAttribute.Depth), [|4|])]\npublic partial class Net;"), "Sweep variant 'Net.Depth4' (Depth = 4) is the baseline itself"),
        ("UNETR026", Declaration(declaration: "[Sweep(nameof(PatchEmbeddingAttribute.PatchSize), 8, [|With = new object[] { nameof(DecoderAttribute.Widths) }|])]\npublic partial class Net;"), "With must list property names and values in pairs, e.g. With = new object[] { nameof(DecoderAttribute.Widths), new[] { 8, 16, 32 } }, but it has an odd number of entries (1)"),
        ("UNETR018", Declaration(unetr: "[|ImageSize = new[] { 1073741824, 1073741824, 1073741824 }|], InChannels = 1, OutChannels = 3"), "is too large"),
    }.Select(c => new object[] { c.Id, c.Source, c.Message });

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reports_one_error_on_the_offending_argument(string id, string markedSource, string message)
    {
        var markup = Markup.Parse(markedSource);

        var run = GeneratorHarness.Run(markup.Source);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(markup.Span, diagnostic.Location.SourceSpan);
        Assert.Contains(message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void Every_diagnostic_id_has_a_located_test()
    {
        var tested = Cases.Select(c => (string)c[0]).ToHashSet();
        var declared = DiagnosticDescriptors.All.Select(d => d.Id).ToHashSet();

        Assert.Equal(declared.OrderBy(x => x), tested.OrderBy(x => x));
    }

    [Fact]
    public void Every_diagnostic_is_an_error_with_a_help_link()
    {
        Assert.All(DiagnosticDescriptors.All, d =>
        {
            Assert.Equal(DiagnosticSeverity.Error, d.DefaultSeverity);
            Assert.EndsWith(d.Id + ".md", d.HelpLinkUri);
        });
    }
}
