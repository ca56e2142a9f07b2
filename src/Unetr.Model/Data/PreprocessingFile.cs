using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using Unetr.Model.Data.Nifti;
using Unetr.Model.Training;

namespace Unetr.Model.Data;

/// <summary>
/// A <see cref="VolumePreprocessing"/> as a small JSON file kept beside a network's weights (<c>best.pt</c> →
/// <c>best.preprocessing.json</c>), so that whoever runs the weights preprocesses volumes as they were trained on,
/// as a MONAI bundle carries its transforms. Field names follow MONAI's transform arguments:
/// <code>
/// {
///   "axis_order": "xyz",
///   "spacing": [1.5, 1.5, 2.0],
///   "intensity_window": { "a_min": -175, "a_max": 250, "b_min": 0, "b_max": 1, "clip": true },
///   "crop_foreground": { "threshold": 0, "margin": 0 },
///   "normalize": null
/// }
/// </code>
/// A step that is <c>null</c> or absent is not applied.
/// </summary>
public static class PreprocessingFile
{
    /// <summary>What replaces the weights file's extension: <c>best.pt</c> → <c>best.preprocessing.json</c>.</summary>
    public const string Extension = ".preprocessing.json";

    /// <summary>The preprocessing file that belongs to <paramref name="weightsPath"/>: the same folder and name, <see cref="Extension"/>.</summary>
    public static string BesideWeights(string weightsPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(weightsPath);
        return Path.ChangeExtension(weightsPath, Extension);
    }

    /// <summary>Writes <paramref name="preprocessing"/> to <paramref name="path"/> atomically (see <see cref="AtomicFile"/>).</summary>
    public static void Write(string path, VolumePreprocessing preprocessing)
    {
        var bytes = Encoding.UTF8.GetBytes(ToJson(preprocessing));
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>Reads the file <see cref="Write"/> writes.</summary>
    /// <exception cref="InvalidDataException">The file is not valid JSON or a field is malformed; the message names the file and the field.</exception>
    public static VolumePreprocessing Read(string path) => FromJson(File.ReadAllText(path), path);

    /// <summary>The JSON text of <paramref name="preprocessing"/>, indented.</summary>
    public static string ToJson(VolumePreprocessing preprocessing)
    {
        ArgumentNullException.ThrowIfNull(preprocessing);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("axis_order", preprocessing.AxisOrder == VoxelAxisOrder.Zyx ? "zyx" : "xyz");
            json.WritePropertyName("spacing");
            if (preprocessing.TargetSpacing is { } spacing)
            {
                json.WriteStartArray();
                foreach (var value in spacing)
                {
                    json.WriteNumberValue(value);
                }

                json.WriteEndArray();
            }
            else
            {
                json.WriteNullValue();
            }

            WriteStep(json, "intensity_window", preprocessing.Window, w =>
            {
                json.WriteNumber("a_min", w.AMin);
                json.WriteNumber("a_max", w.AMax);
                json.WriteNumber("b_min", w.BMin);
                json.WriteNumber("b_max", w.BMax);
                json.WriteBoolean("clip", w.Clip);
            });
            WriteStep(json, "crop_foreground", preprocessing.CropForeground, c =>
            {
                json.WriteNumber("threshold", c.Threshold);
                json.WriteNumber("margin", c.Margin);
            });
            WriteStep(json, "normalize", preprocessing.Normalize, n =>
            {
                json.WriteBoolean("nonzero", n.NonzeroOnly);
                json.WriteBoolean("channel_wise", n.ChannelWise);
            });
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>Parses the text <see cref="ToJson"/> writes; <paramref name="source"/> names it in error messages.</summary>
    /// <exception cref="InvalidDataException">Not valid JSON, or a field is malformed; the message names <paramref name="source"/> and the field.</exception>
    public static VolumePreprocessing FromJson(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"{source}: not valid JSON ({error.Message})");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Bad(source, "the file", "an object with axis_order, spacing, intensity_window, crop_foreground and normalize");
            }

            var reader = new Fields(root, source);
            var axisOrder = reader.Optional("axis_order") is { } order
                ? order.ValueKind == JsonValueKind.String && order.GetString() is "xyz" or "zyx"
                    ? order.GetString() == "zyx" ? VoxelAxisOrder.Zyx : VoxelAxisOrder.Xyz
                    : throw Bad(source, "axis_order", "\"xyz\" or \"zyx\"")
                : VoxelAxisOrder.Xyz;
            var spacing = reader.Optional("spacing") is { } list
                ? list.ValueKind == JsonValueKind.Array && list.GetArrayLength() == 3 && list.EnumerateArray().All(v => v.ValueKind == JsonValueKind.Number && v.GetDouble() > 0 && double.IsFinite(v.GetDouble()))
                    ? list.EnumerateArray().Select(v => v.GetDouble()).ToArray()
                    : throw Bad(source, "spacing", "three positive numbers [x, y, z] or null")
                : null;
            var window = reader.Step("intensity_window", step =>
            {
                var (aMin, aMax) = (step.Number("a_min"), step.Number("a_max"));
                return aMax > aMin
                    ? new IntensityWindow(aMin, aMax, step.Number("b_min", 0), step.Number("b_max", 1), step.Boolean("clip", true))
                    : throw Bad(source, "intensity_window", string.Create(CultureInfo.InvariantCulture, $"a_max greater than a_min; got a_min {aMin}, a_max {aMax}"));
            });
            var crop = reader.Step("crop_foreground", step =>
            {
                var margin = step.Number("margin", 0);
                return margin >= 0 && margin == Math.Floor(margin) && margin <= int.MaxValue
                    ? new ForegroundCropping(step.Number("threshold", 0), (int)margin)
                    : throw Bad(source, "crop_foreground.margin", "a whole number of voxels, 0 or more");
            });
            var normalize = reader.Step("normalize", step => new ZScoreNormalization(step.Boolean("nonzero", false), step.Boolean("channel_wise", true)));
            return new VolumePreprocessing { AxisOrder = axisOrder, TargetSpacing = spacing, Window = window, CropForeground = crop, Normalize = normalize };
        }
    }

    private static void WriteStep<T>(Utf8JsonWriter json, string name, T? step, Action<T> writeFields)
        where T : class
    {
        json.WritePropertyName(name);
        if (step is null)
        {
            json.WriteNullValue();
            return;
        }

        json.WriteStartObject();
        writeFields(step);
        json.WriteEndObject();
    }

    private static InvalidDataException Bad(string source, string field, string expected) =>
        new($"{source}: {field} must be {expected}.");

    /// <summary>Reads the fields of one JSON object, naming the object's path in errors.</summary>
    private sealed class Fields(JsonElement element, string source, string path = "")
    {
        public JsonElement? Optional(string name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

        public T? Step<T>(string name, Func<Fields, T> read)
            where T : class =>
            Optional(name) switch
            {
                null => null,
                { ValueKind: JsonValueKind.Object } value => read(new Fields(value, source, $"{path}{name}.")),
                _ => throw Bad(source, path + name, "an object or null"),
            };

        public double Number(string name, double? fallback = null) =>
            Optional(name) switch
            {
                { ValueKind: JsonValueKind.Number } value when double.IsFinite(value.GetDouble()) => value.GetDouble(),
                null when fallback is { } otherwise => otherwise,
                _ => throw Bad(source, path + name, "a number"),
            };

        public bool Boolean(string name, bool fallback) =>
            Optional(name) switch
            {
                { ValueKind: JsonValueKind.True } => true,
                { ValueKind: JsonValueKind.False } => false,
                null => fallback,
                _ => throw Bad(source, path + name, "true or false"),
            };
    }
}
