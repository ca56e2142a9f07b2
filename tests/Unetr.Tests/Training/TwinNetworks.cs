using System;
using System.Linq;
using static TorchSharp.torch;

namespace Unetr.Tests.Training;

// Two copies of one small network with the same weights, input and labels.
internal sealed class TwinNetworks : IDisposable
{
    private readonly Tensor _input;
    private readonly Tensor _labels;
    private readonly Tensor[] _start;

    public TwinNetworks()
    {
        manual_seed(7);
        Reference = new OtherTinyNet();
        Subject = new OtherTinyNet();
        Subject.load_state_dict(Reference.state_dict());
        _input = randn(OtherTinyNet.InputShape.Prepend(2).ToArray());
        _labels = randint(3, new long[] { 2, 16, 16, 16 });
        _start = Reference.parameters().Select(p => p.detach().clone()).ToArray();
    }

    public OtherTinyNet Reference { get; }

    public OtherTinyNet Subject { get; }

    public void Backward() => Backward(Reference, Subject);

    /// <summary>The loss of <paramref name="network"/> on the shared input and labels.</summary>
    public Tensor Loss(OtherTinyNet network) => nn.functional.cross_entropy(network.call(_input), _labels);

    /// <summary>A third network with <paramref name="source"/>'s current weights.</summary>
    public static OtherTinyNet CopyOf(OtherTinyNet source)
    {
        var copy = new OtherTinyNet();
        copy.load_state_dict(source.state_dict());
        return copy;
    }

    public void Backward(params OtherTinyNet[] networks)
    {
        foreach (var network in networks)
        {
            using var scope = NewDisposeScope();
            Loss(network).backward();
        }
    }

    public double MaxParameterDifference() => MaxDifference(Reference, Subject);

    public static double MaxDifference(OtherTinyNet a, OtherTinyNet b) =>
        a.parameters().Zip(b.parameters()).Max(pair => (pair.First - pair.Second).abs().max().item<float>());

    public double MaxDistanceFromStart() =>
        Reference.parameters().Zip(_start).Max(pair => (pair.First - pair.Second).abs().max().item<float>());

    public void Dispose()
    {
        Reference.Dispose();
        Subject.Dispose();
    }
}
