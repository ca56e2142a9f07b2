using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Unetr.Tests.Reference;

/// <summary>Reads the PyTorch reference files in <c>shared/reference</c> beside the repository.</summary>
internal static class ReferenceData
{
    private static readonly Lazy<string> DirectoryPath = new(Locate);

    public static string PathOf(string fileName) => Path.Combine(DirectoryPath.Value, fileName);

    /// <summary>The keys and shapes of a <c>*.keys.tsv</c> file under <paramref name="prefix"/>, prefix removed, in file order.</summary>
    public static (string Key, long[] Shape)[] KeyFile(string fileName, string prefix) =>
        File.ReadLines(PathOf(fileName))
            .Select(line => line.Split('\t'))
            .Where(fields => fields[0].StartsWith(prefix, StringComparison.Ordinal))
            .Select(fields => (fields[0][prefix.Length..], ParseShape(fields[1])))
            .ToArray();

    /// <summary>The tensors of a saved state dict under <paramref name="prefix"/>, prefix removed.</summary>
    public static Dictionary<string, Tensor> StateDictSlice(string fileName, string prefix)
    {
        var slice = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in PyTorchUnpickler.UnpickleStateDict(PathOf(fileName)))
        {
            var key = (string)entry.Key;
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                slice.Add(key[prefix.Length..], (Tensor)entry.Value!);
            }
        }

        return slice;
    }

    private static long[] ParseShape(string text) =>
        text.Trim('[', ']').Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(long.Parse)
            .ToArray();

    private static string Locate()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "shared", "reference");
            if (File.Exists(Path.Combine(candidate, "README.md")))
            {
                return candidate;
            }

            candidate = Path.Combine(directory.FullName, "..", "shared", "reference");
            if (File.Exists(Path.Combine(candidate, "README.md")))
            {
                return Path.GetFullPath(candidate);
            }
        }

        throw new DirectoryNotFoundException("No shared/reference directory above " + AppContext.BaseDirectory);
    }
}
