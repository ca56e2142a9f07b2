using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace Unetr.Model.Data.Sources;

/// <summary>
/// Reads a Medical Segmentation Decathlon / MONAI <c>dataset.json</c>: a list of <c>{"image", "label"}</c> entries under
/// <c>training</c> (or another key), an optional validation list, optional <c>test</c> images, and the metadata
/// <c>name</c>, <c>labels</c> and <c>modality</c> (nnU-Net's <c>channel_names</c> too). Paths are relative to the
/// file's folder unless absolute (the Decathlon writes <c>"./imagesTr/spleen_2.nii.gz"</c>).
/// </summary>
/// <remarks>
/// <c>labels</c> may map values to names (<c>{"0": "background", "1": "spleen"}</c>, the Decathlon's way) or names
/// to values (<c>{"background": 0, "spleen": 1}</c>, nnU-Net's); either way the values must be 0 to N − 1. An
/// <c>image</c> may be one path or a list of paths, one per channel. Every image and label file of the training and
/// validation lists must exist; test images are only listed.
/// </remarks>
public static class DatasetJson
{
    /// <summary>The Decathlon's key of the training list.</summary>
    public const string TrainingKey = "training";

    /// <summary>MONAI's key of the validation list.</summary>
    public const string ValidationKey = "validation";

    private static readonly JsonDocumentOptions Lenient = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    /// <summary>Reads and checks <paramref name="path"/>.</summary>
    /// <param name="path">The <c>dataset.json</c>.</param>
    /// <param name="trainingKey">Key of the training list (MONAI datalists may use e.g. <c>"fold0"</c>).</param>
    /// <param name="validationKey">
    /// Key of the validation list. <c>null</c> uses <see cref="ValidationKey"/> when the file has a non-empty list
    /// there and otherwise reports none; a key given explicitly must be present and non-empty.
    /// </param>
    /// <exception cref="DatasetException">The file is missing or malformed, or a listed file does not exist.</exception>
    public static DatasetDescription Read(string path, string trainingKey = TrainingKey, string? validationKey = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(trainingKey);
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new DatasetException($"No dataset file at '{fullPath}'.");
        }

        using var document = Parse(fullPath);
        var reader = new EntryReader(fullPath, document.RootElement);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw reader.Problem($"the top level is {Describe(root.ValueKind)}; expected an object with a \"{trainingKey}\" list");
        }

        var training = reader.Volumes(trainingKey, required: true)!;
        var validation = validationKey is null ? reader.Volumes(ValidationKey, required: false) : reader.Volumes(validationKey, required: true);
        var name = root.TryGetProperty("name", out var nameValue) && nameValue.ValueKind == JsonValueKind.String
            ? nameValue.GetString()!
            : Path.GetFileName(Path.GetDirectoryName(fullPath)) ?? fullPath;
        var channels = reader.NumberedNames("modality") ?? reader.NumberedNames("channel_names");
        return new DatasetDescription(fullPath, name, reader.NumberedNames("labels"), channels, training, validation, reader.TestImages());
    }

    private static JsonDocument Parse(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path), Lenient);
        }
        catch (JsonException error)
        {
            // The parser's message ends in its own zero-based "LineNumber: … | BytePositionInLine: …"; say it once, one-based.
            var message = error.Message;
            var trailer = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            var reason = trailer < 0 ? message : message[..trailer];
            throw new DatasetException(
                string.Create(CultureInfo.InvariantCulture, $"{path}: not valid JSON at line {error.LineNumber + 1}, position {error.BytePositionInLine + 1}: {reason}"),
                error);
        }
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    /// <summary>Turns the entries of one file into checked, resolved paths; every problem names the file and the entry.</summary>
    private sealed class EntryReader(string path, JsonElement root)
    {
        private readonly string _folder = Path.GetDirectoryName(path)!;

        public DatasetException Problem(string problem) => new($"{path}: {problem}.");

        public IReadOnlyList<VolumeFiles>? Volumes(string key, bool required)
        {
            if (!root.TryGetProperty(key, out var list))
            {
                if (!required)
                {
                    return null;
                }

                var present = string.Join(", ", root.EnumerateObject().Select(property => $"\"{property.Name}\""));
                throw Problem($"no \"{key}\" list (the keys present are {(present.Length == 0 ? "none" : present)})");
            }

            if (list.ValueKind != JsonValueKind.Array)
            {
                throw Problem($"\"{key}\" is {Describe(list.ValueKind)}; expected a list of {{\"image\", \"label\"}} entries");
            }

            if (list.GetArrayLength() == 0)
            {
                return required ? throw Problem($"\"{key}\" has no entries") : null;
            }

            return list.EnumerateArray().Select((entry, index) => Volume(entry, $"{key}[{index}]")).ToArray();
        }

        public IReadOnlyList<string>? NumberedNames(string key)
        {
            if (!root.TryGetProperty(key, out var map))
            {
                return null;
            }

            if (map.ValueKind != JsonValueKind.Object)
            {
                throw Problem($"\"{key}\" is {Describe(map.ValueKind)}; expected an object such as {{\"0\": \"background\", \"1\": \"organ\"}}");
            }

            var names = new SortedDictionary<int, string>();
            foreach (var property in map.EnumerateObject())
            {
                // The Decathlon maps "0" → "background"; nnU-Net maps "background" → 0.
                var (number, name) = int.TryParse(property.Name, NumberStyles.None, CultureInfo.InvariantCulture, out var fromKey)
                    && property.Value.ValueKind == JsonValueKind.String
                    ? (fromKey, property.Value.GetString()!)
                    : property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetInt32(out var fromValue) && fromValue >= 0
                        ? (fromValue, property.Name)
                        : throw Problem($"\"{key}\" entry \"{property.Name}\": {property.Value.GetRawText()} is neither a name under a number nor a number under a name");
                if (!names.TryAdd(number, name))
                {
                    throw Problem($"\"{key}\" names {number} twice (\"{names[number]}\" and \"{name}\")");
                }
            }

            var missing = Enumerable.Range(0, names.Count).FirstOrDefault(number => !names.ContainsKey(number), -1);
            if (missing >= 0)
            {
                throw Problem($"\"{key}\" has no entry {missing}; expected the numbers 0 to {names.Count - 1}, got {string.Join(", ", names.Keys)}");
            }

            return names.Values.ToArray();
        }

        public IReadOnlyList<IReadOnlyList<string>> TestImages()
        {
            if (!root.TryGetProperty("test", out var list))
            {
                return Array.Empty<IReadOnlyList<string>>();
            }

            if (list.ValueKind != JsonValueKind.Array)
            {
                throw Problem($"\"test\" is {Describe(list.ValueKind)}; expected a list of paths or {{\"image\"}} entries");
            }

            return list.EnumerateArray().Select((entry, index) => entry.ValueKind == JsonValueKind.Object
                ? Images(Field(entry, "image", $"test[{index}]"), $"test[{index}].image", mustExist: false)
                : Images(entry, $"test[{index}]", mustExist: false)).ToArray();
        }

        private VolumeFiles Volume(JsonElement entry, string where)
        {
            if (entry.ValueKind != JsonValueKind.Object)
            {
                throw Problem($"{where} is {Describe(entry.ValueKind)}; expected {{\"image\": …, \"label\": …}}");
            }

            var images = Images(Field(entry, "image", where), $"{where}.image", mustExist: true);
            var label = Field(entry, "label", where);
            if (label.ValueKind != JsonValueKind.String)
            {
                throw Problem($"{where}.label is {Describe(label.ValueKind)}; expected the path of a label map");
            }

            return new VolumeFiles(images, Resolve(label.GetString()!, $"{where}.label", mustExist: true));
        }

        private JsonElement Field(JsonElement entry, string name, string where) =>
            entry.TryGetProperty(name, out var value) ? value : throw Problem($"{where} has no \"{name}\"");

        private IReadOnlyList<string> Images(JsonElement value, string where, bool mustExist)
        {
            if (value.ValueKind == JsonValueKind.String)
            {
                return new[] { Resolve(value.GetString()!, where, mustExist) };
            }

            if (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() > 0 && value.EnumerateArray().All(item => item.ValueKind == JsonValueKind.String))
            {
                return value.EnumerateArray().Select((item, index) => Resolve(item.GetString()!, $"{where}[{index}]", mustExist)).ToArray();
            }

            throw Problem($"{where} is {Describe(value.ValueKind)}; expected a path or a non-empty list of paths");
        }

        private string Resolve(string relative, string where, bool mustExist)
        {
            if (relative.Length == 0)
            {
                throw Problem($"{where} is an empty path");
            }

            var full = Path.GetFullPath(Path.Combine(_folder, relative));
            return !mustExist || File.Exists(full) ? full : throw Problem($"{where} '{relative}' does not exist (looked for '{full}')");
        }
    }
}
