using System;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading;
using static TorchSharp.torch;

namespace Unetr.Model.Runtime;

/// <summary>
/// The one call through which this library changes process-wide state: the OpenMP wait policy, the C heap's handling
/// of freed memory, libtorch's thread count and the CPU routing policy. A program that never calls
/// <see cref="Configure"/> gets a library that touches none of them (<see cref="Training.Trainer"/> then never
/// releases freed heap pages, and every block routes by <see cref="CpuRoutingPolicy.Default"/>).
/// </summary>
/// <remarks>
/// Call <see cref="Configure"/> first thing in <c>Main</c>, before anything loads libtorch: the OpenMP runtime reads
/// its wait policy once, when libtorch loads. The command line and the benchmarks do; docs/speed-notes.md has what
/// each setting gained on the machines it was measured on.
/// </remarks>
public static class UnetrRuntime
{
    private static readonly object Gate = new();
    private static UnetrRuntimeReport? _report;
    private static int _releaseFreedNativeMemoryEvery;

    /// <summary>What the last <see cref="Configure"/> did; <c>null</c> before the first call.</summary>
    public static UnetrRuntimeReport? Report => Volatile.Read(ref _report);

    /// <summary>
    /// How often <see cref="Training.Trainer.Run"/> releases freed C-heap pages when
    /// <see cref="Training.TrainingOptions.ReleaseFreedNativeMemoryEvery"/> is left <c>null</c>: the configured
    /// <see cref="UnetrRuntimeOptions.ReleaseFreedNativeMemoryEvery"/>, or 0 (never) when the runtime was not configured.
    /// </summary>
    public static int ReleaseFreedNativeMemoryEvery => Volatile.Read(ref _releaseFreedNativeMemoryEvery);

    /// <summary>
    /// Applies <paramref name="options"/> (<see cref="UnetrRuntimeOptions.Recommended"/> when <c>null</c>) and returns
    /// what was done, for the program to print. Thread-safe. The environment and heap settings are made by the first
    /// call only (the OpenMP runtime would not read a later change), and a variable already set in the environment
    /// wins over them; later calls return the first call's account of them and apply <see cref="UnetrRuntimeOptions.Threads"/>
    /// and <see cref="UnetrRuntimeOptions.Routing"/> again, so calling twice with the same options changes nothing.
    /// </summary>
    /// <param name="options">What to set; <c>null</c> for the recommended settings.</param>
    public static UnetrRuntimeReport Configure(UnetrRuntimeOptions? options = null)
    {
        options ??= UnetrRuntimeOptions.Recommended;
        if (options.Threads is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Threads, "Threads must be at least 1, or null to leave libtorch's count.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(options.ReleaseFreedNativeMemoryEvery, nameof(options));
        ArgumentNullException.ThrowIfNull(options.Routing, nameof(options));
        lock (Gate)
        {
            // Before anything below can load libtorch.
            var waitPolicy = _report?.OpenMpWaitPolicy ?? (options.PassiveOpenMpWait ? OpenMpWaitPolicy.PreferPassive() : "runtime default (not asked)");
            var heap = _report?.Heap ?? (options.KeepFreedMemory ? NativeHeap.KeepFreedMemory() : "allocator default (not asked)");
            var threads = options.Threads is { } count ? SetThreads(count) : "libtorch's default (not asked)";
            CpuRoutingPolicy.SetProcessPolicy(options.Routing);
            Volatile.Write(ref _releaseFreedNativeMemoryEvery, options.ReleaseFreedNativeMemoryEvery);
            var report = new UnetrRuntimeReport(waitPolicy, heap, threads, options.Routing, options.ReleaseFreedNativeMemoryEvery);
            Volatile.Write(ref _report, report);
            return report;
        }
    }

    // Its own method, not inlined, so that the JIT does not load libtorch (TorchSharp's static constructor) while
    // compiling Configure, before the wait policy is set.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string SetThreads(int count)
    {
        set_num_threads(count);
        return string.Create(CultureInfo.InvariantCulture, $"{count} (the calling thread, and threads whose first libtorch call comes later)");
    }
}

/// <summary>What <see cref="UnetrRuntime.Configure"/> sets. The defaults are the recommended settings.</summary>
public sealed record UnetrRuntimeOptions
{
    /// <summary>The recommended settings: every default below.</summary>
    public static UnetrRuntimeOptions Recommended { get; } = new();

    /// <summary>
    /// Sets <c>OMP_WAIT_POLICY=PASSIVE</c> unless the variable is set: libtorch's OpenMP threads then sleep between
    /// parallel regions instead of spinning, which on cores shared with other processes (or other .NET threads running
    /// networks) keeps a spinning thread from holding a core its partner needs.
    /// </summary>
    public bool PassiveOpenMpWait { get; init; } = true;

    /// <summary>
    /// Makes glibc keep freed memory for reuse (<c>mallopt</c>) unless <c>MALLOC_MMAP_MAX_</c> or
    /// <c>MALLOC_TRIM_THRESHOLD_</c> is set, so that the large tensors of every pass reuse mapped pages instead of
    /// being faulted in again. No effect off glibc.
    /// </summary>
    public bool KeepFreedMemory { get; init; } = true;

    /// <summary>
    /// libtorch's CPU thread count, set with <c>set_num_threads</c> on the calling thread; libtorch copies it to every
    /// thread whose first libtorch call comes later, while threads that already ran libtorch code keep their own.
    /// <c>null</c> (the default) leaves libtorch's count (OpenMP's: <c>OMP_NUM_THREADS</c> or the core count).
    /// </summary>
    public int? Threads { get; init; }

    /// <summary>The routing policy of every thread that opens no <see cref="CpuRoutingPolicy.Use"/> scope.</summary>
    public CpuRoutingPolicy Routing { get; init; } = CpuRoutingPolicy.Default;

    /// <summary>
    /// Every this many training steps, and after every validation, <see cref="Training.Trainer.Run"/> gives freed
    /// C-heap pages back to the operating system when its options leave the choice to the runtime (10; 0 never): with
    /// <see cref="KeepFreedMemory"/> the heap otherwise only grows with fragmentation over a long run.
    /// </summary>
    public int ReleaseFreedNativeMemoryEvery { get; init; } = 10;
}

/// <summary>What <see cref="UnetrRuntime.Configure"/> did, for a program to print.</summary>
/// <param name="OpenMpWaitPolicy">The OpenMP wait policy in force and where it came from.</param>
/// <param name="Heap">The C heap setting in force and where it came from.</param>
/// <param name="Threads">The libtorch thread count set, or that it was left alone.</param>
/// <param name="Routing">The routing policy of threads without a scope.</param>
/// <param name="ReleaseFreedNativeMemoryEvery">Training steps between releases of freed C-heap pages (0: never) when the training options leave it to the runtime.</param>
public sealed record UnetrRuntimeReport(string OpenMpWaitPolicy, string Heap, string Threads, CpuRoutingPolicy Routing, int ReleaseFreedNativeMemoryEvery)
{
    /// <summary>One line per setting.</summary>
    public override string ToString() =>
        string.Join(
            Environment.NewLine,
            $"OpenMP wait policy: {OpenMpWaitPolicy}",
            $"C heap: {Heap}",
            $"libtorch threads: {Threads}",
            $"CPU routing: {(Routing == CpuRoutingPolicy.Default ? "default" : Routing.ToString())}",
            string.Create(CultureInfo.InvariantCulture, $"freed C-heap pages released: {(ReleaseFreedNativeMemoryEvery > 0 ? $"every {ReleaseFreedNativeMemoryEvery} training steps" : "never")}"));
}
