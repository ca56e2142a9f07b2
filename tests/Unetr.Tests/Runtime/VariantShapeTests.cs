using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using Unetr.Model.Compiled;
using Unetr.Tests.Runtime.Variants;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Runtime;

/// <summary>Every stage's runtime shape equals the shape the generator proved at build time.</summary>
public sealed class VariantShapeTests
{
    public static IEnumerable<object[]> Networks => new[]
    {
        new object[] { nameof(MonaiPatch8NonCubic) },
        new object[] { nameof(Monai2DPerceptronBatchPlain) },
        new object[] { nameof(MonaiPatch32) },
        new object[] { nameof(Monai2DPatch4) },
        new object[] { nameof(SeedPatch8NonCubic) },
        new object[] { nameof(Seed2D) },
        new object[] { nameof(SeedPatch32) },
        new object[] { nameof(Outer.NestedDefaults) },
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void Runtime_stage_shapes_equal_compile_time_shapes(string network)
    {
        var observed = network switch
        {
            nameof(MonaiPatch8NonCubic) => RunAndObserve<MonaiPatch8NonCubic>(),
            nameof(Monai2DPerceptronBatchPlain) => RunAndObserve<Monai2DPerceptronBatchPlain>(),
            nameof(MonaiPatch32) => RunAndObserve<MonaiPatch32>(),
            nameof(Monai2DPatch4) => RunAndObserve<Monai2DPatch4>(),
            nameof(SeedPatch8NonCubic) => RunAndObserve<SeedPatch8NonCubic>(),
            nameof(Seed2D) => RunAndObserve<Seed2D>(),
            nameof(SeedPatch32) => RunAndObserve<SeedPatch32>(),
            nameof(Outer.NestedDefaults) => RunAndObserve<Outer.NestedDefaults>(),
            _ => throw new System.ArgumentOutOfRangeException(nameof(network)),
        };

        Assert.Equal(observed.Expected, observed.Actual);
    }

    [Fact]
    public void Runtime_parameter_count_equals_compile_time_count()
    {
        AssertParameters<MonaiPatch8NonCubic>(MonaiPatch8NonCubic.ParameterCount);
        AssertParameters<Monai2DPerceptronBatchPlain>(Monai2DPerceptronBatchPlain.ParameterCount);
        AssertParameters<MonaiPatch32>(MonaiPatch32.ParameterCount);
        AssertParameters<SeedPatch8NonCubic>(SeedPatch8NonCubic.ParameterCount);
        AssertParameters<Seed2D>(Seed2D.ParameterCount);
        AssertParameters<SeedPatch32>(SeedPatch32.ParameterCount);
    }

    [Fact]
    public void Forward_rejects_a_wrong_input_shape_naming_both_shapes()
    {
        using var net = new SeedPatch8NonCubic();
        using var wrong = zeros(new long[] { 1, 2, 16, 16, 16 });

        var error = Assert.Throws<System.ArgumentException>(() => net.call(wrong));

        Assert.Contains("[B, 2, 16, 16, 32]", error.Message);
        Assert.Contains("[1, 2, 16, 16, 16]", error.Message);
    }

    private static void AssertParameters<TNet>(long expected)
        where TNet : nn.Module<Tensor, Tensor>, new()
    {
        using var net = new TNet();
        Assert.Equal(expected, net.parameters().Sum(p => p.numel()));
    }

    private static (List<string> Expected, List<string> Actual) RunAndObserve<TNet>()
        where TNet : nn.Module<Tensor, Tensor>, ICompiledNetwork, new()
    {
        const long batch = 2;
        using var net = new TNet();
        net.eval();
        var actual = new List<string>();
        net.StageObserver = (name, value) => actual.Add($"{name} [{string.Join(", ", value.shape)}]");
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var input = randn(new[] { batch }.Concat(TNet.InputShape).ToArray());

        var output = net.call(input);

        actual.Add($"output [{string.Join(", ", output.shape)}]");
        var expected = TNet.Stages.Select(s => $"{s.Name} [{string.Join(", ", new[] { batch }.Concat(s.Shape))}]").ToList();
        expected.Add($"output [{string.Join(", ", new[] { batch }.Concat(TNet.OutputShape))}]");
        return (expected, actual);
    }
}
