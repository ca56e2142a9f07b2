using System;
using System.Globalization;
using System.IO;

namespace Unetr.Measurement.Memory;

/// <summary>The process's resident set size, read from <c>/proc/self/status</c> (Linux) or the working set elsewhere.</summary>
public static class ResidentMemory
{
    /// <summary>The file the kernel reports this process's memory in (Linux).</summary>
    public const string StatusFile = "/proc/self/status";

    /// <summary>Resident bytes now. Native (libtorch) allocations count as well as the managed heap.</summary>
    public static long Current()
    {
        if (File.Exists(StatusFile))
        {
            return Read("VmRSS");
        }

        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    /// <summary>The file whose value 5 resets this process's peak resident size (<c>VmHWM</c>) to the current one (Linux).</summary>
    public const string ClearRefsFile = "/proc/self/clear_refs";

    /// <summary>
    /// Resets the peak (<c>VmHWM</c>) to the current resident size, so that the next read of the peak covers only what
    /// ran since. Returns false where the kernel offers no such reset (not Linux, or the file cannot be written).
    /// </summary>
    public static bool ResetPeak()
    {
        try
        {
            File.WriteAllText(ClearRefsFile, "5");
            return true;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return false;
        }
    }

    /// <summary>A memory field of <see cref="StatusFile"/> in bytes, e.g. <c>VmRSS</c> or the peak <c>VmHWM</c>.</summary>
    /// <exception cref="InvalidOperationException">The file has no such field.</exception>
    public static long Read(string field)
    {
        ArgumentException.ThrowIfNullOrEmpty(field);
        foreach (var line in File.ReadLines(StatusFile))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return ParseKilobytes(line) * 1024;
            }
        }

        throw new InvalidOperationException($"{StatusFile} has no {field} line.");
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
