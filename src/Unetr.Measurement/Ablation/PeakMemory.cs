using System;
using System.IO;
using Unetr.Measurement.Memory;
using Unetr.Model.Runtime;

namespace Unetr.Measurement.Ablation;

/// <summary>
/// Peak resident memory of the process during an action, from the kernel's own high-water mark: Linux's
/// <c>VmHWM</c> is reset by writing 5 to <c>/proc/self/clear_refs</c>, so the peak is exact rather than sampled.
/// TorchSharp exposes no allocation high-water mark for CPU tensors, and libtorch allocates outside the managed heap,
/// so resident memory is what is left to measure.
/// </summary>
/// <remarks>
/// Memory a previous measurement freed may stay in the C allocator's free lists and be reused unseen; before the
/// baseline is read, managed garbage is collected and glibc's <c>malloc_trim</c> returns free memory to the system.
/// </remarks>
public static class PeakMemory
{
    private const string ClearRefs = "/proc/self/clear_refs";

    /// <summary>Whether this system reports a resettable high-water mark (Linux).</summary>
    public static bool IsSupported { get; } = OperatingSystem.IsLinux() && File.Exists(ResidentMemory.StatusFile) && File.Exists(ClearRefs);

    /// <summary>How the figure is obtained, for reports.</summary>
    public const string Method =
        "growth of the process's peak resident memory (Linux VmHWM, reset before, read after) over the resident memory just before, "
        + "while building the network and AdamW and taking the timed train steps";

    /// <summary>Runs <paramref name="action"/> and returns how far the peak resident memory rose above the memory in use before it; <c>null</c> where unsupported.</summary>
    public static long? Measure(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (!IsSupported)
        {
            action();
            return null;
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        NativeHeap.Trim();
        var before = ResidentMemory.Read("VmRSS");
        File.WriteAllText(ClearRefs, "5");
        action();
        return Math.Max(0, ResidentMemory.Read("VmHWM") - before);
    }
}
