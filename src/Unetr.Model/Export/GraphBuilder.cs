using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using static TorchSharp.torch;

namespace Unetr.Model.Export;

/// <summary>
/// Builds an engine-neutral graph of standard ONNX operators (opset 17) from a module's forward in evaluation mode: the
/// blocks write their own nodes (<see cref="IGraphBlock"/>), and initializers are named by the module's
/// <c>state_dict</c> keys. The graph is plain data; a writer (Unetr.Onnx) turns it into a file.
/// </summary>
/// <remarks>The batch axis stays dynamic: shapes are written with ONNX Reshape's 0 (copy this axis) and −1 (infer).</remarks>
public sealed partial class GraphBuilder
{
    private readonly Dictionary<IntPtr, string> _stateNames = new();
    private readonly Dictionary<IntPtr, GraphValue> _initializerOf = new();
    private readonly List<GraphNode> _nodes = new();
    private readonly List<GraphTensor> _initializers = new();
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private int _counter;

    /// <summary>Starts a graph for <paramref name="root"/>, whose parameters and buffers name the initializers.</summary>
    /// <param name="root">The module being exported; it must be in evaluation mode (<c>eval()</c>).</param>
    /// <exception cref="InvalidOperationException">The module or one of its children is in training mode.</exception>
    public GraphBuilder(nn.Module root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var training = root.modules().Prepend(root).FirstOrDefault(module => module.training);
        if (training is not null)
        {
            throw new InvalidOperationException(
                $"{root.GetName()} is in training mode ({training.GetName()} would apply dropout and batch statistics); call eval() before exporting it.");
        }

        foreach (var (name, parameter) in root.named_parameters())
        {
            _stateNames.TryAdd(parameter.Handle, name);
        }

        foreach (var (name, buffer) in root.named_buffers())
        {
            _stateNames.TryAdd(buffer.Handle, name);
        }
    }

    /// <summary>The nodes, in an order where every input is produced before it is read.</summary>
    public IReadOnlyList<GraphNode> Nodes => _nodes;

    /// <summary>The constants: parameters, buffers and shapes.</summary>
    public IReadOnlyList<GraphTensor> Initializers => _initializers;

    /// <summary>Adds one node of a standard operator.</summary>
    /// <param name="opType">The operator, e.g. <c>Add</c>.</param>
    /// <param name="inputs">Its inputs; an empty name stands for an omitted optional input.</param>
    /// <param name="attributes">Its attributes.</param>
    /// <returns>Its output.</returns>
    public GraphValue Node(string opType, IReadOnlyList<GraphValue> inputs, params GraphAttribute[] attributes)
    {
        var output = Fresh(opType);
        _nodes.Add(new GraphNode(opType, inputs.Select(value => value.Name).ToArray(), output, attributes));
        return new GraphValue(output);
    }

    /// <summary>A parameter or buffer of the module as an initializer named by its <c>state_dict</c> key (float32).</summary>
    /// <param name="tensor">A tensor of the exported module; another tensor gets a generated name.</param>
    /// <returns>The initializer, added once however often it is read.</returns>
    public GraphValue Parameter(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (_initializerOf.TryGetValue(tensor.Handle, out var known))
        {
            return known;
        }

        using var values = tensor.detach().to(ScalarType.Float32, CPU).contiguous();
        var name = _stateNames.TryGetValue(tensor.Handle, out var stateName) ? stateName : Fresh("constant");
        _names.Add(name);
        _initializers.Add(new GraphTensor(name, tensor.shape, values.data<float>().ToArray(), null));
        var value = new GraphValue(name);
        _initializerOf[tensor.Handle] = value;
        return value;
    }

    /// <summary>A float32 constant.</summary>
    /// <param name="values">Row-major contents.</param>
    /// <param name="shape">Its dimensions; empty for a scalar.</param>
    /// <returns>The initializer.</returns>
    public GraphValue Constant(float[] values, params long[] shape)
    {
        var name = Fresh("constant");
        _initializers.Add(new GraphTensor(name, shape, values, null));
        return new GraphValue(name);
    }

    /// <summary>A one-dimensional int64 constant (a shape, a permutation, axes).</summary>
    /// <param name="values">Its contents.</param>
    /// <returns>The initializer.</returns>
    public GraphValue Int64s(params long[] values)
    {
        var name = Fresh("shape");
        _initializers.Add(new GraphTensor(name, new[] { (long)values.Length }, null, values));
        return new GraphValue(name);
    }

    private string Fresh(string stem)
    {
        string name;
        do
        {
            name = string.Create(CultureInfo.InvariantCulture, $"{stem}_{_counter++}");
        }
        while (!_names.Add(name));

        return name;
    }
}
