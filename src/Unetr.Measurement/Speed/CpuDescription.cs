using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;

namespace Unetr.Measurement.Speed;

/// <summary>
/// The CPU a speed report ran on, as <c>/proc/cpuinfo</c> describes it, and its theoretical float32 peak:
/// physical cores × clock × float32 lanes per vector (16 for AVX-512, 8 for AVX2) × FMA pipes per core × 2 (an FMA is a
/// multiply and an add). /proc/cpuinfo names neither the FMA pipes nor the boost clock, so the pipes come from the CPU
/// family (<see cref="FmaPipes"/>, stated with its source in the report) and the clock is the larger of /proc/cpuinfo's
/// <c>cpu MHz</c> (often the nominal clock in a virtual machine) and a clock measured by a chain of dependent integer
/// operations (<see cref="MeasureClockHz"/>, one per cycle, on one core, under whatever load the machine has).
/// </summary>
/// <param name="Model">The model name.</param>
/// <param name="Vendor"><c>vendor_id</c>.</param>
/// <param name="Family"><c>cpu family</c>.</param>
/// <param name="LogicalProcessors">Processors the kernel lists.</param>
/// <param name="PhysicalCores">Cores: logical processors divided by the SMT siblings per core.</param>
/// <param name="CpuInfoMhz"><c>cpu MHz</c> of the first processor (0 when absent).</param>
/// <param name="Flags">The first processor's flags.</param>
public sealed record CpuDescription(
    string Model, string Vendor, int Family, int LogicalProcessors, int PhysicalCores, double CpuInfoMhz, IReadOnlySet<string> Flags)
{
    /// <summary>The vector extensions the report names, in this order, with the /proc/cpuinfo flag of each.</summary>
    private static readonly (string Flag, string Name)[] Extensions =
    {
        ("avx2", "AVX2"), ("fma", "FMA"), ("avx512f", "AVX-512F"), ("avx512dq", "DQ"), ("avx512cd", "CD"), ("avx512bw", "BW"),
        ("avx512vl", "VL"), ("avx512_vnni", "VNNI"), ("avx512ifma", "IFMA"), ("avx512_vbmi2", "VBMI2"), ("avx512_bf16", "AVX-512-BF16"),
        ("avx512_fp16", "AVX-512-FP16"), ("amx_tile", "AMX-TILE"), ("amx_bf16", "AMX-BF16"), ("amx_int8", "AMX-INT8"),
    };

    /// <summary>Reads <c>/proc/cpuinfo</c>.</summary>
    /// <exception cref="PlatformNotSupportedException">There is no /proc/cpuinfo (not Linux).</exception>
    public static CpuDescription Current() =>
        File.Exists("/proc/cpuinfo")
            ? Parse(File.ReadAllText("/proc/cpuinfo"))
            : throw new PlatformNotSupportedException("The speed report reads the CPU from /proc/cpuinfo, which this system does not have.");

    /// <summary>Parses the text of <c>/proc/cpuinfo</c>.</summary>
    /// <exception cref="FormatException">The text lists no processor.</exception>
    public static CpuDescription Parse(string cpuinfo)
    {
        ArgumentNullException.ThrowIfNull(cpuinfo);
        var processors = cpuinfo.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(block => block.Split('\n')
                .Select(line => line.Split(':', 2))
                .Where(pair => pair.Length == 2)
                .GroupBy(pair => pair[0].Trim())
                .ToDictionary(group => group.Key, group => group.First()[1].Trim()))
            .Where(fields => fields.ContainsKey("processor"))
            .ToArray();
        if (processors.Length == 0)
        {
            throw new FormatException("/proc/cpuinfo lists no 'processor' entry.");
        }

        var first = processors[0];
        var siblings = Int(first, "siblings");
        var coresPerPackage = Int(first, "cpu cores");
        var threadsPerCore = siblings > 0 && coresPerPackage > 0 ? Math.Max(1, siblings / coresPerPackage) : 1;
        var flags = (first.GetValueOrDefault("flags") ?? first.GetValueOrDefault("Features") ?? string.Empty)
            .Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        return new CpuDescription(
            first.GetValueOrDefault("model name") ?? "unknown model",
            first.GetValueOrDefault("vendor_id") ?? "unknown vendor",
            Int(first, "cpu family"),
            processors.Length,
            Math.Max(1, processors.Length / threadsPerCore),
            double.TryParse(first.GetValueOrDefault("cpu MHz"), NumberStyles.Float, CultureInfo.InvariantCulture, out var mhz) ? mhz : 0,
            flags);

        static int Int(Dictionary<string, string> fields, string key) =>
            int.TryParse(fields.GetValueOrDefault(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : 0;
    }

    /// <summary>The machine in one line, as the benchmark verbs print it after <c>CPU:</c>.</summary>
    public string Summary => $"{Model} ({Vendor} family {Family}), {PhysicalCores} cores ({LogicalProcessors} logical processors); {VectorExtensions}";

    /// <summary>The named vector extensions the CPU has, e.g. <c>AVX2, FMA, AVX-512F, DQ, …, AVX-512-BF16</c>, or <c>none of AVX2, AVX-512, AMX</c>.</summary>
    public string VectorExtensions
    {
        get
        {
            var present = Extensions.Where(e => Flags.Contains(e.Flag)).Select(e => e.Name).ToArray();
            var absent = new[] { ("avx512f", "AVX-512"), ("avx512_bf16", "AVX-512-BF16"), ("amx_tile", "AMX") }
                .Where(e => !Flags.Contains(e.Item1)).Select(e => e.Item2).ToArray();
            return (present.Length == 0 ? "no AVX2" : string.Join(", ", present)) + (absent.Length == 0 ? string.Empty : $"; no {string.Join(", no ", absent)}");
        }
    }

    /// <summary>float32 lanes of the widest FMA vector: 16 with AVX-512F, 8 with AVX2 and FMA, 4 otherwise (SSE, no FMA).</summary>
    public int Float32Lanes => Flags.Contains("avx512f") ? 16 : Flags.Contains("avx2") && Flags.Contains("fma") ? 8 : 4;

    /// <summary>
    /// FMA pipes per core at <see cref="Float32Lanes"/> width, and where that number comes from. AMD family 26 (Zen 5)
    /// has two full 512-bit FMA pipes; family 25 with AVX-512 (Zen 4) runs a 512-bit FMA as two halves on its two
    /// 256-bit pipes, which is one pipe at 16 lanes; AMD's AVX2-only cores (families 23 and 25) and Intel's cores have two
    /// pipes (some Intel Xeon Silver/Bronze parts have one 512-bit pipe; then this peak is twice theirs).
    /// </summary>
    public (int Pipes, string Source) FmaPipes =>
        (Vendor, Family, Float32Lanes) switch
        {
            ("AuthenticAMD", 26, _) => (2, "AMD family 26 (Zen 5): two 512-bit FMA pipes"),
            ("AuthenticAMD", 25, 16) => (1, "AMD family 25 with AVX-512 (Zen 4): 512-bit FMA on two 256-bit pipes = one 16-lane pipe"),
            ("AuthenticAMD", _, _) => (2, $"AMD family {Family}: two {32 * Float32Lanes}-bit FMA pipes"),
            ("GenuineIntel", _, _) => (2, $"Intel: assumed two {32 * Float32Lanes}-bit FMA pipes (some Xeon Silver/Bronze have one)"),
            _ => (2, $"unknown vendor {Vendor}: assumed two {32 * Float32Lanes}-bit FMA pipes"),
        };

    /// <summary>Theoretical float32 FLOP/s at <paramref name="clockHz"/>: cores × clock × lanes × pipes × 2.</summary>
    public double PeakFlops(double clockHz) => PhysicalCores * clockHz * Float32Lanes * FmaPipes.Pipes * 2.0;

    /// <summary>
    /// The clock of one core while it runs, in Hz: a chain of dependent integer adds and xors (each waits one cycle for
    /// the one before) timed over trials of about 0.2 ms, best of <paramref name="trials"/>, so that a trial the scheduler
    /// interrupted does not count. It is the clock this core ran at (its boost clock when it had one), not the all-core
    /// AVX-512 clock, which can be lower.
    /// </summary>
    public static double MeasureClockHz(int trials = 400)
    {
        const long Iterations = 100_000;
        const int OperationsPerIteration = 8;
        Chain(10 * Iterations);
        var best = double.MaxValue;
        for (var trial = 0; trial < trials; trial++)
        {
            var clock = Stopwatch.StartNew();
            Chain(Iterations);
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }

        return Iterations * OperationsPerIteration / best;
    }

    // Eight dependent one-cycle operations per iteration; the loop counter runs alongside on other ALUs. Adds and xors
    // alternate so that the JIT cannot fold the chain into fewer operations.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long Chain(long iterations)
    {
        long x = 1;
        for (long i = 0; i < iterations; i++)
        {
            x += i;
            x ^= 0x5bd1e995;
            x += i;
            x ^= 0x1b873593;
            x += i;
            x ^= 0x27d4eb2f;
            x += i;
            x ^= 0x165667b1;
        }

        Sink = x;
        return x;
    }

    private static long Sink { get; set; }
}
