using Xunit;

namespace Unetr.Tests.Generator;

/// <summary>Found by the fuzzer: names that are C# keywords, written as verbatim identifiers, must stay verbatim in the generated code.</summary>
public sealed class KeywordIdentifierTests
{
    [Fact]
    public void Generated_code_compiles_when_class_enclosing_type_and_namespace_are_keywords()
    {
        const string source = """
            using Unetr.Dsl;
            namespace Demo.@event;
            public static partial class @base
            {
                [Unetr(ImageSize = new[] { 32, 32 }, InChannels = 1, OutChannels = 2)]
                [PatchEmbedding(PatchSize = 16)]
                [Encoder(EmbedDim = 16, Depth = 4, Heads = 2)]
                [Decoder(Widths = new[] { 2, 4, 8, 16 })]
                public partial class @operator;
            }
            """;

        var run = GeneratorHarness.Run(source);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Contains("partial class @operator", run.Source("Demo.event.base.operator.g.cs"));
        Assert.True(run.CompilationProblems.Count == 0, GeneratorHarness.Format(run.CompilationProblems));
    }
}
