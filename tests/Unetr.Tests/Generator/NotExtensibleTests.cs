using System.Globalization;
using Xunit;

namespace Unetr.Tests.Generator;

/// <summary>
/// Found by the fuzzer: a class the generated half cannot extend used to give compiler errors inside the generated
/// file (static, another base class, a name a generated member takes) or nothing at all (record, file-local); now it
/// is one UNETR020 on the class name.
/// </summary>
public sealed class NotExtensibleTests
{
    private const string Attributes = """
        using Unetr.Dsl;
        namespace Demo;
        [Unetr(ImageSize = new[] { 32, 32 }, InChannels = 1, OutChannels = 2)]
        [PatchEmbedding(PatchSize = 16)]
        [Encoder(EmbedDim = 16, Depth = 4, Heads = 2)]
        [Decoder(Widths = new[] { 2, 4, 8, 16 })]

        """;

    [Theory]
    [InlineData("public static partial class [|Net|];", "is static")]
    [InlineData("public partial record [|Net|];", "is a record")]
    [InlineData("public partial record class [|Net|];", "is a record")]
    [InlineData("file partial class [|Net|];", "is file-local")]
    [InlineData("public partial class [|Net|] : System.Exception;", "derives from 'System.Exception'")]
    [InlineData("public partial class [|Net|] : object;", "derives from 'object'")]
    public void Rejects_a_class_the_generated_module_cannot_extend(string declaration, string problem)
    {
        var markup = Markup.Parse(Attributes + declaration);

        var run = GeneratorHarness.Run(markup.Source);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("UNETR020", diagnostic.Id);
        Assert.Equal(markup.Span, diagnostic.Location.SourceSpan);
        Assert.Contains(problem, diagnostic.GetMessage(CultureInfo.InvariantCulture));
        Assert.Empty(run.Sources);
    }

    [Theory]
    [InlineData("@out", "Monai", "'out' the module declares")]
    [InlineData("vit", "Monai", "'vit' the module declares")]
    [InlineData("decoder0_header", "Seed", "'decoder0_header' the module declares")]
    [InlineData("Stages", "Monai", "'Stages' the module declares")]
    public void Rejects_a_class_named_like_a_member_of_the_generated_module(string name, string layout, string problem)
    {
        var markup = Markup.Parse(Attributes.Replace("InChannels = 1,", $"InChannels = 1, Layout = UnetrLayout.{layout},") + $"public partial class [|{name}|];");

        var run = GeneratorHarness.Run(markup.Source);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("UNETR020", diagnostic.Id);
        Assert.Equal(markup.Span, diagnostic.Location.SourceSpan);
        Assert.Contains(problem, diagnostic.GetMessage(CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("public partial class Net : TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>;")]
    [InlineData("public partial class Net : System.IDisposable;")]
    public void Accepts_the_module_base_class_repeated_and_interfaces(string declaration)
    {
        var run = GeneratorHarness.Run(Attributes + declaration);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.True(run.CompilationProblems.Count == 0, GeneratorHarness.Format(run.CompilationProblems));
    }

    [Fact]
    public void An_undefined_layout_is_one_error_not_also_a_layout_mismatch()
    {
        // StemWidth is what the MONAI layout cannot express (UNETR017); an undefined layout must not be taken for MONAI.
        var marked = Attributes
            .Replace("InChannels = 1,", "InChannels = 1, [|Layout = (UnetrLayout)5|],")
            .Replace("Widths = new[] { 2, 4, 8, 16 }", "Widths = new[] { 2, 4, 8, 16 }, StemWidth = 4");
        var markup = Markup.Parse(marked + "public partial class Net;");

        var run = GeneratorHarness.Run(markup.Source);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("UNETR019", diagnostic.Id);
        Assert.Equal(markup.Span, diagnostic.Location.SourceSpan);
        Assert.Contains("Layout = 5 is not a defined UnetrLayout value; use UnetrLayout.Monai or UnetrLayout.Seed", diagnostic.GetMessage(CultureInfo.InvariantCulture));
    }
}
