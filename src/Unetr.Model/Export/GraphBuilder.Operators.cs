using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace Unetr.Model.Export;

/// <summary>The operators the blocks are made of, each a standard ONNX operator (opset 17) or a short chain of them.</summary>
public sealed partial class GraphBuilder
{
    /// <summary><c>Conv</c> with a cubic (square) kernel, equal strides and symmetric zero padding.</summary>
    public GraphValue Conv(GraphValue input, Tensor weight, Tensor? bias, long stride, long padding)
    {
        ArgumentNullException.ThrowIfNull(weight);
        var dims = (int)weight.dim() - 2;
        var kernel = weight.shape.Skip(2).ToArray();
        return Node(
            "Conv",
            WithOptional(input, Parameter(weight), bias),
            Ints("kernel_shape", kernel),
            Ints("strides", Enumerable.Repeat(stride, dims).ToArray()),
            Ints("pads", Enumerable.Repeat(padding, 2 * dims).ToArray()));
    }

    /// <summary><c>ConvTranspose</c> with equal strides, no padding and no output padding.</summary>
    public GraphValue ConvTranspose(GraphValue input, Tensor weight, Tensor? bias, long stride)
    {
        ArgumentNullException.ThrowIfNull(weight);
        var dims = (int)weight.dim() - 2;
        return Node(
            "ConvTranspose",
            WithOptional(input, Parameter(weight), bias),
            Ints("kernel_shape", weight.shape.Skip(2).ToArray()),
            Ints("strides", Enumerable.Repeat(stride, dims).ToArray()));
    }

    /// <summary>PyTorch's <c>Linear</c>: <c>input · weightᵀ (+ bias)</c> over the last axis.</summary>
    public GraphValue Linear(GraphValue input, Tensor weight, Tensor? bias)
    {
        var product = MatMul(input, Transpose(Parameter(weight), 1, 0));
        return bias is null ? product : Add(product, Parameter(bias));
    }

    /// <summary><c>LayerNormalization</c> over the last axis.</summary>
    public GraphValue LayerNorm(GraphValue input, Tensor weight, Tensor bias, double eps) =>
        Node("LayerNormalization", new[] { input, Parameter(weight), Parameter(bias) }, new GraphAttribute("axis", Int: -1), Epsilon(eps));

    /// <summary><c>BatchNormalization</c> with its running statistics (evaluation mode).</summary>
    public GraphValue BatchNorm(GraphValue input, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar, double eps) =>
        Node(
            "BatchNormalization",
            new[] { input, Parameter(weight), Parameter(bias), Parameter(runningMean), Parameter(runningVar) },
            Epsilon(eps));

    /// <summary><c>InstanceNormalization</c> without affine parameters (scale 1, bias 0).</summary>
    public GraphValue InstanceNorm(GraphValue input, long channels, double eps) =>
        Node(
            "InstanceNormalization",
            new[] { input, Constant(Enumerable.Repeat(1f, (int)channels).ToArray(), channels), Constant(new float[channels], channels) },
            Epsilon(eps));

    /// <summary>Exact GELU, <c>0.5 · x · (1 + erf(x / √2))</c> (ONNX's <c>Gelu</c> needs opset 20).</summary>
    public GraphValue Gelu(GraphValue input)
    {
        var erf = Node("Erf", new[] { Node("Div", new[] { input, Scalar(MathF.Sqrt(2f)) }) });
        return Node("Mul", new[] { Node("Mul", new[] { input, Node("Add", new[] { erf, Scalar(1f) }) }), Scalar(0.5f) });
    }

    /// <summary><c>Relu</c>.</summary>
    public GraphValue Relu(GraphValue input) => Node("Relu", new[] { input });

    /// <summary><c>LeakyRelu</c>.</summary>
    public GraphValue LeakyRelu(GraphValue input, double slope) =>
        Node("LeakyRelu", new[] { input }, new GraphAttribute("alpha", Float: (float)slope));

    /// <summary>Scaled dot-product attention per head: <c>softmax(q · kᵀ / √d) · v</c> on <c>[B, H, N, D]</c> inputs.</summary>
    public GraphValue Attention(GraphValue query, GraphValue key, GraphValue value, long headDim)
    {
        var scaled = Mul(query, Scalar((float)(1.0 / Math.Sqrt(headDim))));
        var scores = MatMul(scaled, Transpose(key, 0, 1, 3, 2));
        return MatMul(Node("Softmax", new[] { scores }, new GraphAttribute("axis", Int: -1)), value);
    }

    /// <summary><c>Add</c>.</summary>
    public GraphValue Add(GraphValue left, GraphValue right) => Node("Add", new[] { left, right });

    /// <summary><c>Mul</c>.</summary>
    public GraphValue Mul(GraphValue left, GraphValue right) => Node("Mul", new[] { left, right });

    /// <summary><c>MatMul</c>.</summary>
    public GraphValue MatMul(GraphValue left, GraphValue right) => Node("MatMul", new[] { left, right });

    /// <summary><c>Concat</c> along <paramref name="axis"/>.</summary>
    public GraphValue Concat(long axis, params GraphValue[] values) =>
        Node("Concat", values, new GraphAttribute("axis", Int: axis));

    /// <summary><c>Transpose</c> by <paramref name="permutation"/>.</summary>
    public GraphValue Transpose(GraphValue input, params long[] permutation) =>
        Node("Transpose", new[] { input }, Ints("perm", permutation));

    /// <summary><c>Reshape</c>; 0 copies the input's axis (the batch), −1 is inferred.</summary>
    public GraphValue Reshape(GraphValue input, params long[] shape) => Node("Reshape", new[] { input, Int64s(shape) });

    /// <summary>Element <paramref name="index"/> along axis 0, which disappears (<c>Gather</c> with a scalar index).</summary>
    public GraphValue Select(GraphValue input, long index)
    {
        var name = Fresh("index");
        _initializers.Add(new GraphTensor(name, Array.Empty<long>(), null, new[] { index }));
        return Node("Gather", new[] { input, new GraphValue(name) }, new GraphAttribute("axis", Int: 0));
    }

    /// <summary>Tokens <c>[B, N, E]</c> as a feature volume <c>[B, E, *grid]</c> (<see cref="Blocks.Tokens.ToVolume"/>).</summary>
    public GraphValue ToVolume(GraphValue tokens, IReadOnlyList<long> grid) =>
        Reshape(Transpose(tokens, 0, 2, 1), new long[] { 0, -1 }.Concat(grid).ToArray());

    /// <summary>A feature volume <c>[B, E, *grid]</c> as tokens <c>[B, N, E]</c> (<see cref="Blocks.Tokens.FromVolume"/>).</summary>
    public GraphValue FromVolume(GraphValue volume) => Transpose(Reshape(volume, 0, 0, -1), 0, 2, 1);

    /// <summary>Features <c>[B, N, H·D]</c> as heads <c>[B, H, N, D]</c>.</summary>
    public GraphValue SplitHeads(GraphValue features, long heads) => Transpose(Reshape(features, 0, 0, heads, -1), 0, 2, 1, 3);

    /// <summary>Heads <c>[B, H, N, D]</c> as features <c>[B, N, H·D]</c>.</summary>
    public GraphValue MergeHeads(GraphValue perHead) => Reshape(Transpose(perHead, 0, 2, 1, 3), 0, 0, -1);

    private GraphValue Scalar(float value) => Constant(new[] { value });

    private GraphValue[] WithOptional(GraphValue input, GraphValue weight, Tensor? bias) =>
        bias is null ? new[] { input, weight } : new[] { input, weight, Parameter(bias) };

    private static GraphAttribute Ints(string name, long[] values) => new(name, Ints: values);

    private static GraphAttribute Epsilon(double eps) => new("epsilon", Float: (float)eps);
}
