using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Unetr.Onnx;

/// <summary>
/// What an exported file says about itself in its <c>metadata_props</c>: the network's name and per-sample shapes, so
/// that a reader can check it was given the file it expects.
/// </summary>
/// <param name="Model">The declared network's name, e.g. <c>MonaiBtcvUnetr</c>.</param>
/// <param name="InputShape">Per-sample input shape [C, spatial…]; the batch axis is dynamic.</param>
/// <param name="OutputShape">Per-sample output shape [K, spatial…].</param>
public sealed record OnnxModelInfo(string Model, IReadOnlyList<long> InputShape, IReadOnlyList<long> OutputShape)
{
    /// <summary>The metadata key of <see cref="Model"/>.</summary>
    public const string ModelKey = "unetr.model";

    /// <summary>The metadata key of <see cref="InputShape"/> (comma-separated).</summary>
    public const string InputShapeKey = "unetr.input_shape";

    /// <summary>The metadata key of <see cref="OutputShape"/> (comma-separated).</summary>
    public const string OutputShapeKey = "unetr.output_shape";

    /// <summary>The metadata entries this record is written as.</summary>
    public IReadOnlyDictionary<string, string> ToMetadata() => new Dictionary<string, string>
    {
        [ModelKey] = Model,
        [InputShapeKey] = string.Join(",", InputShape),
        [OutputShapeKey] = string.Join(",", OutputShape),
    };

    /// <summary>Reads the record back from a file's metadata.</summary>
    /// <param name="metadata">The file's <c>metadata_props</c>.</param>
    /// <param name="file">The file, for the message.</param>
    /// <exception cref="FormatException">An entry is missing or malformed.</exception>
    public static OnnxModelInfo FromMetadata(IReadOnlyDictionary<string, string> metadata, string file)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        string Entry(string key) => metadata.TryGetValue(key, out var value) && value.Length > 0
            ? value
            : throw new FormatException($"'{file}' has no '{key}' metadata: it was not written by 'unetr export' (or OnnxExport.Save).");
        long[] Shape(string key)
        {
            var text = Entry(key);
            var parts = text.Split(',');
            return parts.All(part => long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var size) && size > 0)
                ? parts.Select(part => long.Parse(part, CultureInfo.InvariantCulture)).ToArray()
                : throw new FormatException($"'{file}' has a malformed '{key}' metadata entry '{text}'; expected positive sizes separated by commas.");
        }

        return new OnnxModelInfo(Entry(ModelKey), Shape(InputShapeKey), Shape(OutputShapeKey));
    }
}
