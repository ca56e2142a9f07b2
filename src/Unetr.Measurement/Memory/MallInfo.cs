using System;
using System.Runtime.InteropServices;

namespace Unetr.Measurement.Memory;

/// <summary>
/// glibc's own account of the C heap (<c>mallinfo2</c>): bytes handed out to live allocations, so a run can tell memory
/// that libtorch still holds from freed memory the allocator keeps.
/// </summary>
public static class MallInfo
{
    /// <summary>Bytes in live <c>malloc</c> allocations (small blocks in the arenas plus large <c>mmap</c>ed ones), or <c>null</c> without glibc.</summary>
    public static long? BytesInUse()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            var info = MallInfo2();
            return checked((long)(info.InUseArenaBytes + info.MappedBytes));
        }
        catch (Exception error) when (error is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    // Field order and types of glibc's struct mallinfo2 (all size_t).
    [StructLayout(LayoutKind.Sequential)]
    private readonly struct Info
    {
        public readonly nuint Arena;
        public readonly nuint FreeChunks;
        public readonly nuint FastBins;
        public readonly nuint MappedRegions;
        public readonly nuint MappedBytes;
        public readonly nuint Unused;
        public readonly nuint FreeFastBinBytes;
        public readonly nuint InUseArenaBytes;
        public readonly nuint FreeArenaBytes;
        public readonly nuint ReleasableTopBytes;
    }

    [DllImport("libc", EntryPoint = "mallinfo2")]
    private static extern Info MallInfo2();
}
