using System;
using Unetr.Measurement.Speed;
using Xunit;

namespace Unetr.Tests.Speed;

public sealed class CpuDescriptionTests
{
    // Two processors of an SMT core pair: one physical core.
    private static readonly string IntelWithSmt = IntelProcessor(0) + IntelProcessor(1);

    private const string Zen2 = """
        processor	: 0
        vendor_id	: AuthenticAMD
        cpu family	: 23
        model name	: AMD EPYC 7B12
        cpu MHz		: 2250.000
        siblings	: 1
        cpu cores	: 1
        flags		: fpu avx avx2 fma

        """;

    private static string IntelProcessor(int index) => $"""
        processor	: {index}
        vendor_id	: GenuineIntel
        cpu family	: 6
        model name	: Intel(R) Xeon(R) Platinum 8480+
        cpu MHz		: 2000.000
        siblings	: 2
        cpu cores	: 1
        flags		: fpu sse avx avx2 fma avx512f avx512bw avx512vl avx512_bf16 amx_tile amx_bf16


        """;

    [Fact]
    public void Parse_counts_physical_cores_and_names_the_vector_extensions()
    {
        var cpu = CpuDescription.Parse(IntelWithSmt.Replace("\r\n", "\n", StringComparison.Ordinal));

        Assert.Equal("Intel(R) Xeon(R) Platinum 8480+", cpu.Model);
        Assert.Equal(2, cpu.LogicalProcessors);
        Assert.Equal(1, cpu.PhysicalCores);
        Assert.Equal(2000.0, cpu.CpuInfoMhz);
        Assert.Equal(16, cpu.Float32Lanes);
        Assert.Equal("AVX2, FMA, AVX-512F, BW, VL, AVX-512-BF16, AMX-TILE, AMX-BF16", cpu.VectorExtensions);
    }

    [Fact]
    public void Peak_is_cores_times_clock_times_lanes_times_pipes_times_two()
    {
        var cpu = CpuDescription.Parse(Zen2.Replace("\r\n", "\n", StringComparison.Ordinal));

        Assert.Equal(8, cpu.Float32Lanes);
        Assert.Equal(2, cpu.FmaPipes.Pipes);
        Assert.Equal("AVX2, FMA; no AVX-512, no AVX-512-BF16, no AMX", cpu.VectorExtensions);

        // 1 core × 3 GHz × 8 lanes × 2 pipes × 2 flops per FMA.
        Assert.Equal(96e9, cpu.PeakFlops(3e9));
    }

    [Fact]
    public void Zen4_runs_avx512_at_the_rate_of_one_16_lane_pipe()
    {
        var zen4 = CpuDescription.Parse(Zen2.Replace("cpu family\t: 23", "cpu family\t: 25", StringComparison.Ordinal)
            .Replace("avx2 fma", "avx2 fma avx512f", StringComparison.Ordinal).Replace("\r\n", "\n", StringComparison.Ordinal));

        Assert.Equal(16, zen4.Float32Lanes);
        Assert.Equal(1, zen4.FmaPipes.Pipes);
        Assert.Equal(64e9, zen4.PeakFlops(2e9));
    }

    [Fact]
    public void Text_without_a_processor_is_refused()
    {
        var error = Assert.Throws<FormatException>(() => CpuDescription.Parse("MemTotal: 1 kB\n"));
        Assert.Contains("no 'processor'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Measured_clock_is_a_plausible_frequency()
    {
        var hz = CpuDescription.MeasureClockHz(trials: 20);
        Assert.InRange(hz, 0.2e9, 8e9);
    }
}
