using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace Unetr.Model.Runtime;

/// <summary>
/// How the C heap, where libtorch's CPU tensors live, hands memory back and forth with the operating system (glibc only;
/// elsewhere these do nothing).
/// </summary>
/// <remarks>
/// By default glibc serves every allocation above 32 MiB (and smaller ones, depending on history) with a fresh
/// <c>mmap</c> and unmaps it on free, so each large activation of a forward pass is faulted in and zero-filled page by
/// page by the kernel again on every pass (docs/speed-notes.md has the measured cost). Conversely, freed memory that glibc does keep can fragment over a long run;
/// <see cref="Trim"/> gives free pages back.
/// </remarks>
public static class NativeHeap
{
    private const int TrimThresholdOption = -1;
    private const int MmapMaxOption = -4;
    private const string MmapMaxVariable = "MALLOC_MMAP_MAX_";
    private const string TrimThresholdVariable = "MALLOC_TRIM_THRESHOLD_";

    private static bool _unavailable = !OperatingSystem.IsLinux();

    /// <summary>The environment variables <see cref="KeepFreedMemory"/> reads, and sets for child processes.</summary>
    public static IReadOnlyList<string> EnvironmentVariables { get; } = new[] { MmapMaxVariable, TrimThresholdVariable };

    /// <summary>
    /// Values of <see cref="EnvironmentVariables"/> for a child process whose heap maps every large allocation on its own
    /// and unmaps it when freed (glibc's fixed defaults, without its dynamic threshold), so its resident memory follows
    /// its live allocations; being set, they also keep <see cref="KeepFreedMemory"/> from changing the heap.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ReleasingEnvironment { get; } = new Dictionary<string, string>
    {
        [MmapMaxVariable] = "65536",
        [TrimThresholdVariable] = "131072",
    };

    /// <summary>
    /// Makes glibc serve large allocations from its heap instead of separate mappings and keep freed memory for reuse
    /// (<c>mallopt</c>: <c>M_MMAP_MAX</c> 0, <c>M_TRIM_THRESHOLD</c> 2 GiB), so tensors of the same sizes, allocated
    /// again on every pass, reuse pages that are already mapped. Resident memory then stays near the peak of the
    /// largest pass instead of dropping between passes; <see cref="Trim"/> still releases it on request. Leaves the
    /// allocator alone when <c>MALLOC_MMAP_MAX_</c> or <c>MALLOC_TRIM_THRESHOLD_</c> is set (an explicit choice wins),
    /// and sets both variables for child processes, so the PyTorch side of a comparison runs with the same heap.
    /// Returns the setting in force, for reports. Only <see cref="UnetrRuntime.Configure"/> calls it.
    /// </summary>
    internal static string KeepFreedMemory()
    {
        if (Environment.GetEnvironmentVariable(MmapMaxVariable) is { } mmapMax)
        {
            return $"{MmapMaxVariable}={mmapMax} (from the environment)";
        }

        if (Environment.GetEnvironmentVariable(TrimThresholdVariable) is { } threshold)
        {
            return $"{TrimThresholdVariable}={threshold} (from the environment)";
        }

        if (_unavailable)
        {
            return "allocator default";
        }

        try
        {
            if (MallocOption(MmapMaxOption, 0) == 0 || MallocOption(TrimThresholdOption, int.MaxValue) == 0)
            {
                return "allocator default (mallopt refused)";
            }
        }
        catch (Exception error) when (error is DllNotFoundException or EntryPointNotFoundException)
        {
            _unavailable = true;
            return "allocator default";
        }

        Environment.SetEnvironmentVariable(MmapMaxVariable, "0");
        Environment.SetEnvironmentVariable(TrimThresholdVariable, int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return "freed memory kept for reuse (set by UnetrRuntime.Configure; set MALLOC_MMAP_MAX_ to override)";
    }

    /// <summary>
    /// Releases free C-heap pages; returns whether any were released. Changes nothing but resident memory, and only
    /// when called: <see cref="Training.Trainer.Run"/> calls it when its options or <see cref="UnetrRuntime.Configure"/> ask.
    /// </summary>
    public static bool Trim()
    {
        if (_unavailable)
        {
            return false;
        }

        try
        {
            return MallocTrim(0) != 0;
        }
        catch (Exception error) when (error is DllNotFoundException or EntryPointNotFoundException)
        {
            // musl and other C libraries have no malloc_trim.
            _unavailable = true;
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int MallocOption(int option, int value);

    // DllImport rather than LibraryImport: the signature is blittable, and LibraryImport would need unsafe code enabled.
    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);
}
