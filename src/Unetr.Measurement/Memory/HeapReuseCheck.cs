using System;
using System.Globalization;
using System.IO;
using static TorchSharp.torch;

namespace Unetr.Measurement.Memory;

/// <summary>
/// The <c>heap</c> verb: fills a 64 MiB tensor, frees it, fills a 48 MiB one and prints the page faults the second fill
/// took, against the pages it spans. With <see cref="Unetr.Model.Runtime.UnetrRuntimeOptions.KeepFreedMemory"/> in force the
/// second tensor reuses the first one's pages (a handful of faults); with glibc's defaults it is a fresh mapping (one
/// fault per page). The first is larger because an aligned allocation needs a few bytes more than the block a freed
/// tensor of the same size leaves, so same-size reuse depends on what lies beside it.
/// </summary>
public static class HeapReuseCheck
{
    /// <summary>The measured tensor: above glibc's largest mmap threshold (32 MiB), so by default a fresh mapping.</summary>
    public const long Size = 48L << 20;

    /// <summary>The tensor freed before it.</summary>
    public const long FreedSize = 64L << 20;

    /// <summary>Runs the check and prints <c>second fill: F page faults, P pages</c> (P for the 48 MiB tensor); returns 0.</summary>
    public static int Run()
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"second fill: {SecondFillFaults()} page faults, {Size / Environment.SystemPageSize} pages"));
        return 0;
    }

    /// <summary>Fills and frees a <see cref="FreedSize"/> tensor, then returns the minor page faults of filling a <see cref="Size"/> one.</summary>
    public static long SecondFillFaults()
    {
        using (ones(new long[] { FreedSize }, ScalarType.Byte))
        {
        }

        var before = MinorPageFaults();
        using (ones(new long[] { Size }, ScalarType.Byte))
        {
        }

        return MinorPageFaults() - before;
    }

    // Field 10 of /proc/self/stat (minflt), counted after the command name, which is in parentheses.
    private static long MinorPageFaults()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[7], CultureInfo.InvariantCulture);
    }
}
