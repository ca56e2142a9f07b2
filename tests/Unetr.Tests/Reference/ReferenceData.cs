using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Unetr.Tests.Reference;

/// <summary>
/// Reads the PyTorch reference files kept in <c>tests/Unetr.Tests/Reference/Files</c> (their README says how they were
/// made), which the build copies beside the test assembly.
/// </summary>
internal static class ReferenceData
{
    /// <summary>The folder beside the test assembly that holds the files.</summary>
    public static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Reference", "Files");

    public static string PathOf(string fileName)
    {
        var path = Path.Combine(Folder, fileName);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException(
                $"{path} is missing: the build copies tests/Unetr.Tests/Reference/Files beside the test assembly.", path);
    }

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
}
