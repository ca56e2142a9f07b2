using System;
using System.Globalization;
using System.IO;

namespace Unetr.Benchmarks.Memory;

/// <summary>The process's resident set size, read from <c>/proc/self/status</c> (Linux) or the working set elsewhere.</summary>
public static class ResidentMemory
{
    /// <summary>Resident bytes now. Native (libtorch) allocations count as well as the managed heap.</summary>
    public static long Current()
    {
        const string Path = "/proc/self/status";
        if (File.Exists(Path))
        {
            foreach (var line in File.ReadLines(Path))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return ParseKilobytes(line) * 1024;
                }
            }
        }

        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    /// <summary>Parses a <c>/proc/self/status</c> line such as <c>VmRSS:   123456 kB</c> into kilobytes.</summary>
    /// <exception cref="FormatException">The line does not have that form.</exception>
    public static long ParseKilobytes(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 3 || parts[2] != "kB" || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var kilobytes))
        {
            throw new FormatException($"Expected a line like 'VmRSS:  123456 kB'; got '{line}'.");
        }

        return kilobytes;
    }
}
