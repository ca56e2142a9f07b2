using System.Collections.Generic;
using System.Linq;
using Google.Protobuf;
using Unetr.Onnx.Proto;

namespace Unetr.Tests.Onnx;

/// <summary>Reads an exported model's protobuf back, to look at what was written.</summary>
internal sealed record OnnxModelFile(IReadOnlyList<string> InitializerNames, IReadOnlyList<string> OperatorTypes)
{
    public static OnnxModelFile Read(byte[] bytes)
    {
        var model = ModelProto.Parser.ParseFrom(bytes);
        return new OnnxModelFile(
            model.Graph.Initializer.Select(tensor => tensor.Name).ToArray(),
            model.Graph.Node.Select(node => node.OpType).Distinct().ToArray());
    }

    /// <summary>The same model with its metadata removed, as another exporter would write it.</summary>
    public static byte[] WithoutMetadata(byte[] bytes)
    {
        var model = ModelProto.Parser.ParseFrom(bytes);
        model.MetadataProps.Clear();
        return model.ToByteArray();
    }
}
