using System;
using System.Linq;
using Unetr.Tests.Training;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Blocks;

/// <summary>Checks that a module computing another module's function by another route is that module, to rounding.</summary>
internal static class RoutedModuleAssert
{
    // Same parameter names, shapes and values; same outputs and gradients (parameters and input) for each layout of the
    // input given.
    public static void SameModule(nn.Module<Tensor, Tensor> reference, nn.Module<Tensor, Tensor> routed, params Tensor[] layouts)
    {
        var expectedParameters = reference.named_parameters().ToArray();
        var actualParameters = routed.named_parameters().ToArray();
        Assert.Equal(expectedParameters.Select(p => $"{p.name} [{string.Join(", ", p.parameter.shape)}]"), actualParameters.Select(p => $"{p.name} [{string.Join(", ", p.parameter.shape)}]"));
        Assert.All(expectedParameters.Zip(actualParameters), pair => Assert.True(Tensors.Identical(pair.First.parameter, pair.Second.parameter)));

        foreach (var layout in layouts)
        {
            reference.zero_grad();
            routed.zero_grad();
            using var expectedInput = layout.detach().requires_grad_(true);
            using var actualInput = layout.detach().requires_grad_(true);
            using var expected = reference.call(expectedInput);
            using var actual = routed.call(actualInput);
            Assert.Equal(expected.shape, actual.shape);
            Close("output", expected, actual);

            using var upstream = randn_like(expected);
            (expected * upstream).sum().backward();
            (actual * upstream).sum().backward();
            Close("input gradient", expectedInput.grad!, actualInput.grad!);
            foreach (var (e, a) in expectedParameters.Zip(actualParameters))
            {
                Close($"{e.name} gradient", e.parameter.grad!, a.parameter.grad!);
            }
        }
    }

    public static void Close(string what, Tensor expected, Tensor actual)
    {
        var difference = (expected - actual).abs().max().item<float>();
        var scale = Math.Max(1, expected.abs().max().item<float>());
        Assert.True(difference <= 1e-5 * scale, $"{what} differs by {difference:E2} (largest magnitude {scale:E2})");
    }
}
