using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Xunit;

namespace Unetr.Tests.Corruption;

/// <summary>What became of a corrupted input.</summary>
internal enum CorruptionOutcome
{
    /// <summary>Refused with one line naming the file.</summary>
    Refused,

    /// <summary>Accepted, with the same result as the valid original.</summary>
    Unchanged,

    /// <summary>Accepted, with a result that differs from the original's.</summary>
    Silent,

    /// <summary>An unexpected exception, a message of several lines or not naming the file, or a crash's exit code.</summary>
    Crash,

    /// <summary>Refused, but a file of the failed run stayed behind (or a temporary file after any run).</summary>
    Leftover,
}

/// <summary>One classified case.</summary>
internal sealed record CorruptionResult(CorruptCase Case, CorruptionOutcome Outcome, string Detail);

/// <summary>Writes cases into folders of their own, finds what a run left there, and counts and checks outcomes.</summary>
internal static class CorruptionTally
{
    /// <summary>Writes <paramref name="files"/> (names relative to <paramref name="folder"/>); returns their full paths.</summary>
    public static HashSet<string> Write(string folder, IReadOnlyDictionary<string, byte[]> files)
    {
        Directory.CreateDirectory(folder);
        foreach (var (name, bytes) in files)
        {
            var path = Path.Combine(folder, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, bytes);
        }

        return files.Keys.Select(name => Path.GetFullPath(Path.Combine(folder, name))).ToHashSet();
    }

    /// <summary>Files under <paramref name="folder"/> other than <paramref name="written"/>.</summary>
    public static List<string> NewFiles(string folder, ISet<string> written) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Where(path => !written.Contains(Path.GetFullPath(path))).ToList();

    /// <summary>Whether <paramref name="message"/> names one of <paramref name="written"/> by its file name.</summary>
    public static bool NamesAFile(string message, IEnumerable<string> written) =>
        written.Any(path => message.Contains(Path.GetFileName(path), StringComparison.Ordinal));

    /// <summary>One line of counts, e.g. <c>nii: cases 120, refused clearly 92, …</c>.</summary>
    public static string Summary(string kind, IReadOnlyList<CorruptionOutcome> outcomes) => string.Create(CultureInfo.InvariantCulture,
        $"{kind}: cases {outcomes.Count}, refused clearly {outcomes.Count(o => o == CorruptionOutcome.Refused)}, accepted unchanged {outcomes.Count(o => o == CorruptionOutcome.Unchanged)}, "
        + $"silent changes {outcomes.Count(o => o == CorruptionOutcome.Silent)}, crashes {outcomes.Count(o => o == CorruptionOutcome.Crash)}, leftovers {outcomes.Count(o => o == CorruptionOutcome.Leftover)}");

    /// <summary>A line per kind, in order of first appearance, and a total line.</summary>
    public static IReadOnlyList<string> Lines(IReadOnlyList<CorruptionResult> results) =>
        results.GroupBy(r => r.Case.Kind).Select(g => Summary(g.Key, g.Select(r => r.Outcome).ToList()))
            .Append(Summary("total", results.Select(r => r.Outcome).ToList())).ToList();

    /// <summary>Fails, listing the first few, when any case was a silent change, a crash or a leftover.</summary>
    public static void AssertNoFailures(IReadOnlyList<CorruptionResult> results)
    {
        var failures = results.Where(r => r.Outcome is CorruptionOutcome.Silent or CorruptionOutcome.Crash or CorruptionOutcome.Leftover).ToList();
        Assert.True(failures.Count == 0,
            $"{Lines(results)[^1]}{Environment.NewLine}" + string.Join(Environment.NewLine, failures.Take(8).Select(f => $"{f.Outcome}: {f.Case}: {f.Detail}")));
    }
}
