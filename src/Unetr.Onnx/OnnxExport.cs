using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Unetr.Model.Compiled;
using Unetr.Model.Export;
using Unetr.Model.Training;
using Unetr.Onnx.Proto;
using static TorchSharp.torch;

namespace Unetr.Onnx;

/// <summary>
/// Writes a declared network as an ONNX model (opset <see cref="Opset"/>, IR version <see cref="IrVersion"/>, standard
/// operators only) that ONNX Runtime and any ONNX consumer runs without libtorch. The graph is the network's own
/// generated <see cref="IGraphNetwork.ExportGraph"/>: the same steps as its forward, in evaluation mode, with the batch
/// axis dynamic and the spatial sizes declared.
/// </summary>
public static class OnnxExport
{
    /// <summary>The ONNX operator set: 17 has LayerNormalization and is the newest that onnx 1.12 checks.</summary>
    public const long Opset = 17;

    /// <summary>The ONNX IR version that goes with opset 17.</summary>
    public const long IrVersion = 8;

    /// <summary>The graph input's name.</summary>
    public const string InputName = "input";

    /// <summary>The graph output's name.</summary>
    public const string OutputName = "logits";

    /// <summary>The name of the dynamic batch axis.</summary>
    public const string BatchAxis = "batch";

    /// <summary>Writes <paramref name="network"/> to <paramref name="path"/> atomically, named by its class.</summary>
    /// <typeparam name="TNet">A generated network.</typeparam>
    /// <param name="network">The network, in evaluation mode (<c>eval()</c>).</param>
    /// <param name="path">The .onnx file to create or replace.</param>
    /// <exception cref="InvalidOperationException">The network is in training mode.</exception>
    public static void Save<TNet>(TNet network, string path)
        where TNet : nn.Module<Tensor, Tensor>, ICompiledNetwork =>
        Save(network, new OnnxModelInfo(typeof(TNet).Name, TNet.InputShape, TNet.OutputShape), path);

    /// <summary>Writes <paramref name="network"/> to <paramref name="path"/> atomically (a temporary file, then a rename).</summary>
    /// <param name="network">A generated network (an <see cref="IGraphNetwork"/>), in evaluation mode.</param>
    /// <param name="info">Its name and per-sample shapes, written to the file's metadata.</param>
    /// <param name="path">The .onnx file to create or replace; its folder must exist.</param>
    /// <exception cref="InvalidOperationException">The network is in training mode.</exception>
    /// <exception cref="ArgumentException">The network is not a generated one.</exception>
    public static void Save(nn.Module network, OnnxModelInfo info, string path)
    {
        var model = Build(network, info);
        AtomicFile.Write(path, stream => model.WriteTo(stream));
    }

    /// <summary>The model <see cref="Save(nn.Module, OnnxModelInfo, string)"/> writes, as bytes.</summary>
    /// <param name="network">A generated network, in evaluation mode.</param>
    /// <param name="info">Its name and per-sample shapes.</param>
    /// <returns>The serialized ModelProto.</returns>
    public static byte[] ToBytes(nn.Module network, OnnxModelInfo info) => Build(network, info).ToByteArray();

    private static ModelProto Build(nn.Module network, OnnxModelInfo info)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(info);
        if (network is not IGraphNetwork graphNetwork)
        {
            throw new ArgumentException($"{network.GetType().Name} is not a generated network (it has no ExportGraph); only declared [Unetr] networks export.", nameof(network));
        }

        var builder = new GraphBuilder(network);
        GraphValue output;
        using (no_grad())
        {
            output = graphNetwork.ExportGraph(builder, new GraphValue(InputName));
        }

        var graph = new GraphProto { Name = info.Model };
        graph.Input.Add(ValueInfo(InputName, info.InputShape));
        graph.Output.Add(ValueInfo(OutputName, info.OutputShape));
        graph.Initializer.AddRange(builder.Initializers.Select(Initializer));
        var index = 0;
        foreach (var node in builder.Nodes)
        {
            graph.Node.Add(Node(node, $"{node.OpType}_{index++}"));
        }

        graph.Node.Add(new NodeProto { OpType = "Identity", Name = "output", Input = { output.Name }, Output = { OutputName } });

        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "Unetr",
            ProducerVersion = typeof(OnnxExport).Assembly.GetName().Version?.ToString() ?? "",
            Graph = graph,
            OpsetImport = { new OperatorSetIdProto { Domain = "", Version = Opset } },
        };
        model.MetadataProps.AddRange(info.ToMetadata().Select(entry => new StringStringEntryProto { Key = entry.Key, Value = entry.Value }));
        return model;
    }

    private static ValueInfoProto ValueInfo(string name, IReadOnlyList<long> perSample)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = BatchAxis });
        shape.Dim.AddRange(perSample.Select(size => new TensorShapeProto.Types.Dimension { DimValue = size }));
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    private static TensorProto Initializer(GraphTensor tensor)
    {
        var proto = new TensorProto { Name = tensor.Name };
        proto.Dims.AddRange(tensor.Shape);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ONNX raw tensor data is little-endian; this machine is not.");
        }

        if (tensor.Floats is { } floats)
        {
            proto.DataType = (int)TensorProto.Types.DataType.Float;
            proto.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(floats.AsSpan()));
        }
        else
        {
            proto.DataType = (int)TensorProto.Types.DataType.Int64;
            proto.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(tensor.Int64s.AsSpan()));
        }

        return proto;
    }

    private static NodeProto Node(GraphNode node, string name)
    {
        var proto = new NodeProto { OpType = node.OpType, Name = name };
        proto.Input.AddRange(node.Inputs);
        proto.Output.Add(node.Output);
        foreach (var attribute in node.Attributes)
        {
            var value = new AttributeProto { Name = attribute.Name };
            if (attribute.Int is { } integer)
            {
                value.Type = AttributeProto.Types.AttributeType.Int;
                value.I = integer;
            }
            else if (attribute.Float is { } real)
            {
                value.Type = AttributeProto.Types.AttributeType.Float;
                value.F = real;
            }
            else
            {
                value.Type = AttributeProto.Types.AttributeType.Ints;
                value.Ints.AddRange(attribute.Ints ?? Array.Empty<long>());
            }

            proto.Attribute.Add(value);
        }

        return proto;
    }
}
