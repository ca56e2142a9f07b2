using Xunit;

namespace Unetr.Tests.Generator;

/// <summary>Generated code keeps compiling when the user's namespace declares types named like the ones it uses.</summary>
public sealed class NameShadowingTests
{
    [Fact]
    public void Generated_code_compiles_when_user_types_shadow_the_names_it_uses()
    {
        // Types of the user's own namespace win over using directives, so each of these would capture a short name.
        const string source = """
            using Unetr.Dsl;
            namespace Demo;
            public class Tensor { }
            public class Tokens { }
            public class Sequential { }
            public class ConvBlock { }
            public class DeconvBlock { }
            public class SingleDeconvBlock { }
            public class SingleConvBlock { }
            public class SeedTransformer { }
            public class ViT { }
            public class UnetrUpBlock { }
            public class UnetOutBlock { }
            public class InputGuard { }
            public class StageShape { }
            public class ModelSummary { }
            public class SummaryRow { }
            public class ICompiledNetwork { }
            public class IReadOnlyList<T> { }
            public class Action<T1, T2> { }
            public class ArgumentException { }
            public class Module<T1, T2> { }
            public class NormKind { }
            public class MlpActivation { }
            public class PatchProjection { }
            public class torch { }
            public class System { }
            public class TorchSharp { }
            public class Unetr { }

            [Unetr(Layout = UnetrLayout.Seed, ImageSize = new[] { 32, 32, 32 }, InChannels = 1, OutChannels = 2)]
            [PatchEmbedding(PatchSize = 16)]
            [Encoder(EmbedDim = 16, Depth = 4, Heads = 2)]
            [Decoder(Widths = new[] { 2, 4, 8, 16 })]
            public partial class SeedNet;

            [Unetr(ImageSize = new[] { 32, 32 }, InChannels = 1, OutChannels = 2)]
            [PatchEmbedding(PatchSize = 8, Projection = global::Unetr.Dsl.PatchProjection.Perceptron)]
            [Encoder(EmbedDim = 16, Depth = 3, Heads = 2)]
            [Decoder(Widths = new[] { 2, 4, 8 })]
            public partial class MonaiNet;
            """;

        var run = GeneratorHarness.Run(source);

        Assert.True(run.GeneratorDiagnostics.IsEmpty, GeneratorHarness.Format(run.GeneratorDiagnostics));
        // Two networks and the assembly's catalog.
        Assert.Equal(3, run.Sources.Length);
        Assert.True(run.CompilationProblems.Count == 0, GeneratorHarness.Format(run.CompilationProblems));
    }
}
