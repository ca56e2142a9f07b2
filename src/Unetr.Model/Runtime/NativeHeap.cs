using System;
using System.Runtime.InteropServices;

namespace Unetr.Model.Runtime;

/// <summary>
/// Gives the C heap's free pages back to the operating system. libtorch allocates tensors with <c>malloc</c>; glibc keeps
/// freed memory in its arenas, so resident memory creeps up with fragmentation over a long run even when every tensor is
/// disposed. <c>malloc_trim</c> releases the free pages (glibc only; elsewhere this does nothing).
/// </summary>
public static class NativeHeap
{
    private static bool _unavailable = !OperatingSystem.IsLinux();

    /// <summary>Releases free C-heap pages; returns whether any were released.</summary>
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

    // DllImport rather than LibraryImport: the signature is blittable, and LibraryImport would need unsafe code enabled.
    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);
}
