using System.Collections.Generic;

namespace Unetr.Model.Export;

/// <summary>A named value of an exported graph: the network's input, an initializer, or a node's output.</summary>
/// <param name="Name">Its unique name in the graph.</param>
public readonly record struct GraphValue(string Name);

/// <summary>An attribute of a graph node: one integer, one float, a list of integers or a string.</summary>
/// <param name="Name">The operator's attribute name, e.g. <c>kernel_shape</c>.</param>
/// <param name="Int">An integer value (ONNX <c>INT</c>), or null.</param>
/// <param name="Float">A float value (ONNX <c>FLOAT</c>), or null.</param>
/// <param name="Ints">An integer list (ONNX <c>INTS</c>), or null.</param>
public sealed record GraphAttribute(string Name, long? Int = null, float? Float = null, IReadOnlyList<long>? Ints = null);

/// <summary>One operator application with a single output.</summary>
/// <param name="OpType">A standard ONNX operator of the default domain, e.g. <c>Conv</c>.</param>
/// <param name="Inputs">The names of its inputs, in the operator's order.</param>
/// <param name="Output">The name of its output.</param>
/// <param name="Attributes">Its attributes.</param>
public sealed record GraphNode(string OpType, IReadOnlyList<string> Inputs, string Output, IReadOnlyList<GraphAttribute> Attributes);

/// <summary>A constant of the graph: a parameter or buffer of the module (named by its <c>state_dict</c> key), or a shape.</summary>
/// <param name="Name">Its name in the graph.</param>
/// <param name="Shape">Its dimensions.</param>
/// <param name="Floats">Float32 contents, row-major, or null for an int64 tensor.</param>
/// <param name="Int64s">Int64 contents, or null for a float tensor.</param>
public sealed record GraphTensor(string Name, IReadOnlyList<long> Shape, float[]? Floats, long[]? Int64s);
