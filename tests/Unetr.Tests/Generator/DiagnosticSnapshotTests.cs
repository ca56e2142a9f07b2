using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Unetr.Tests.Snapshots;
using Xunit;

namespace Unetr.Tests.Generator;

/// <summary>
/// Declarations with several mistakes at once: every diagnostic (ID, severity, line:column span, the text it points at,
/// message) is compared with the committed <c>DiagnosticSnapshotTests.*.verified.txt</c> beside this file.
/// </summary>
public sealed class DiagnosticSnapshotTests
{
    private static readonly Dictionary<string, string> Declarations = new()
    {
        ["WrongPatchAndBadHeads"] = """
            using Unetr.Dsl;
            namespace Demo;

            [Unetr(ImageSize = new[] { 32, 32, 32 }, InChannels = 1, OutChannels = 3)]
            [PatchEmbedding(PatchSize = 12)]
            [Encoder(EmbedDim = 48, Depth = 4, Heads = 5)]
            [Decoder(Widths = new[] { 8, 16, 32, 64 })]
            public partial class Net;
            """,
        ["MissingAttributes"] = """
            using Unetr.Dsl;
            namespace Demo;

            [Unetr(ImageSize = new[] { 32, 32, 32 }, InChannels = 1, OutChannels = 3)]
            public partial class Net;
            """,
        ["MissingArguments"] = """
            using Unetr.Dsl;
            namespace Demo;

            [Unetr(Layout = UnetrLayout.Monai)]
            [PatchEmbedding]
            [Encoder(EmbedDim = 48, Depth = 4, Heads = 4)]
            [Decoder(Norm = NormKind.Batch)]
            public partial class Net;
            """,
        ["NotPartial"] = """
            using Unetr.Dsl;
            namespace Demo;

            public static class Outer
            {
                [Unetr(ImageSize = new[] { 32, 32, 32 }, InChannels = 1, OutChannels = 3)]
                [PatchEmbedding(PatchSize = 16)]
                [Encoder(EmbedDim = 48, Depth = 4, Heads = 4)]
                [Decoder(Widths = new[] { 8, 16, 32, 64 })]
                public class Net
                {
                }
            }
            """,
        ["SeedWithEveryArgumentWrong"] = """
            using Unetr.Dsl;
            namespace Demo;

            [Unetr(Layout = UnetrLayout.Seed, ImageSize = new[] { 32, 40, 32 }, InChannels = 1, OutChannels = 0)]
            [PatchEmbedding(PatchSize = 16)]
            [Encoder(EmbedDim = 48, Depth = 4, Heads = 5, ExtractLayers = new[] { 2, 1, 3, 4 }, Dropout = -0.5)]
            [Decoder(Widths = new[] { 8, 16, 32 }, Residual = true)]
            public partial class Net;
            """,
    };

    public static TheoryData<string> Cases => new(Declarations.Keys);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Invalid_declaration_reports_its_diagnostics(string declaration)
    {
        var source = Declarations[declaration];

        var run = GeneratorHarness.Run(source);

        Assert.Empty(run.Sources);
        Assert.All(run.GeneratorDiagnostics, d => Assert.Equal(DiagnosticSeverity.Error, d.Severity));
        Snapshot.VerifyText(Describe(run.GeneratorDiagnostics, source), declaration);
    }

    /// <summary>One block per diagnostic, in source order; lines and columns are 1-based as an editor shows them.</summary>
    private static string Describe(IEnumerable<Diagnostic> diagnostics, string source)
    {
        var text = new StringBuilder();
        foreach (var diagnostic in diagnostics.OrderBy(d => d.Location.SourceSpan.Start).ThenBy(d => d.Id))
        {
            var span = diagnostic.Location.GetLineSpan();
            text.Append(CultureInfo.InvariantCulture,
                    $"{diagnostic.Id} {diagnostic.Severity} {span.Path}({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1})-({span.EndLinePosition.Line + 1},{span.EndLinePosition.Character + 1})")
                .Append(CultureInfo.InvariantCulture, $" at `{source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length)}`\n")
                .Append("    ").Append(diagnostic.GetMessage(CultureInfo.InvariantCulture)).Append('\n');
        }

        return text.ToString();
    }
}
