using System;
using System.Linq;
using static TorchSharp.torch;

namespace Unetr.Tests.Training;

// Two copies of one small network with the same weights, input and labels.
internal sealed class TwinNetworks : IDisposable
{
    private readonly Func<nn.Module<Tensor, Tensor>> _create;
    private readonly Tensor _input;
    private readonly Tensor _labels;
    private readonly Tensor[] _start;

    /// <summary>Two <see cref="OtherTinyNet"/>s (convolutions, attention, norms) on a batch of two volumes.</summary>
    public TwinNetworks()
        : this(() => new OtherTinyNet(), OtherTinyNet.InputShape.Prepend(2).ToArray(), new long[] { 2, 16, 16, 16 })
    {
    }

    private TwinNetworks(Func<nn.Module<Tensor, Tensor>> create, long[] inputShape, long[] labelShape)
    {
        _create = create;
        manual_seed(7);
        Reference = create();
        Subject = create();
        Subject.load_state_dict(Reference.state_dict());
        _input = randn(inputShape);
        _labels = randint(3, labelShape);
        _start = Reference.parameters().Select(p => p.detach().clone()).ToArray();
    }

    public nn.Module<Tensor, Tensor> Reference { get; }

    public nn.Module<Tensor, Tensor> Subject { get; }

    /// <summary>
    /// Two perceptrons (linear, layer norm, linear) classifying 32 vectors into 3 classes: libtorch's own layers, for
    /// tests of the optimizer alone that take many steps (see <see cref="Backward(nn.Module{Tensor, Tensor}[])"/> for
    /// why not OtherTinyNet).
    /// </summary>
    public static TwinNetworks Perceptrons() => new(Perceptron, new long[] { 32, 8 }, new long[] { 32 });

    /// <summary>One perceptron: 8 inputs, 16 hidden units with layer norm and ReLU, 3 outputs.</summary>
    public static nn.Module<Tensor, Tensor> Perceptron() =>
        nn.Sequential(("hidden", nn.Linear(8, 16)), ("norm", nn.LayerNorm(16)), ("relu", nn.ReLU()), ("out", nn.Linear(16, 3)));

    public void Backward() => Backward(Reference, Subject);

    /// <summary>The loss of <paramref name="network"/> on the shared input and labels.</summary>
    public Tensor Loss(nn.Module<Tensor, Tensor> network) => nn.functional.cross_entropy(network.call(_input), _labels);

    /// <summary>A third network with <paramref name="source"/>'s current weights.</summary>
    public nn.Module<Tensor, Tensor> Copy(nn.Module<Tensor, Tensor> source)
    {
        var copy = _create();
        copy.load_state_dict(source.state_dict());
        return copy;
    }

    // On one libtorch thread, as TrainingCollection means to run: its fixture sets the count on the thread that builds
    // it only (set_num_threads acts per OS thread), and with two threads OtherTinyNet's backward gave NaN gradients in
    // 8 of 150 passes (1 of 150 with one thread) on the 2-core build machine, before FlatAdamW's split too.
    public void Backward(params nn.Module<Tensor, Tensor>[] networks)
    {
        var threads = get_num_threads();
        set_num_threads(1);
        try
        {
            foreach (var network in networks)
            {
                using var scope = NewDisposeScope();
                Loss(network).backward();
            }
        }
        finally
        {
            set_num_threads(threads);
        }
    }

    public double MaxParameterDifference() => MaxDifference(Reference, Subject);

    public static double MaxDifference(nn.Module a, nn.Module b) =>
        a.parameters().Zip(b.parameters()).Max(pair => (pair.First - pair.Second).abs().max().item<float>());

    public double MaxDistanceFromStart() =>
        Reference.parameters().Zip(_start).Max(pair => (pair.First - pair.Second).abs().max().item<float>());

    public void Dispose()
    {
        Reference.Dispose();
        Subject.Dispose();
    }
}
