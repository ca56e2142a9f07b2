using System;
using Unetr.Measurement.Memory;
using Xunit;

namespace Unetr.Tests.Memory;

public sealed class MemoryGrowthTests
{
    [Fact]
    public void Growth_compares_the_median_of_the_settled_window_with_the_median_of_the_last_window()
    {
        // Warm-up doubles memory before step 50; the settled window (steps 50–52) has median 100 despite one swing to
        // 130, and the last window (steps 53–55) has median 104 with a peak of 110 at step 54.
        var samples = new (long, long)[] { (0, 50), (10, 90), (50, 100), (51, 130), (52, 99), (53, 104), (54, 110), (55, 101) };

        var growth = MemoryGrowth.From(samples, settledStep: 50, window: 3);

        Assert.Equal(100, growth.SettledMedian);
        Assert.Equal(104, growth.FinalMedian);
        Assert.Equal(0.04, growth.Growth, 12);
        Assert.Equal(130, growth.PeakBytes);
        Assert.Equal(51, growth.PeakStep);
        Assert.Equal(0.30, growth.PeakGrowth, 12);
    }

    [Fact]
    public void A_steady_leak_shows_as_growth()
    {
        var samples = new (long Step, long Bytes)[500];
        for (var step = 0; step < samples.Length; step++)
        {
            samples[step] = (step, 1000 + step);
        }

        var growth = MemoryGrowth.From(samples, settledStep: 50, window: 50);

        // Medians of steps 50–99 and 450–499: 1074.5 → 1074 and 1474.5 → 1474 in whole bytes.
        Assert.Equal(1074, growth.SettledMedian);
        Assert.Equal(1474, growth.FinalMedian);
        Assert.True(growth.Growth > 0.37);
    }

    [Fact]
    public void Too_few_samples_for_two_windows_are_named()
    {
        var error = Assert.Throws<ArgumentException>(() => MemoryGrowth.From(new (long, long)[] { (0, 1), (50, 2), (60, 2) }, settledStep: 50, window: 2));

        Assert.Contains("at least 4 samples from the settling step 50", error.Message, StringComparison.Ordinal);
        Assert.Contains("got 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Samples_out_of_step_order_are_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => MemoryGrowth.From(new (long, long)[] { (0, 1), (20, 2), (10, 3) }, settledStep: 0, window: 1));

        Assert.Contains("step 10 follows 20", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("VmRSS:\t  402512 kB", 402512)]
    [InlineData("VmRSS: 7 kB", 7)]
    public void Proc_status_lines_are_read_in_kilobytes(string line, long expected) =>
        Assert.Equal(expected, ResidentMemory.ParseKilobytes(line));

    [Theory]
    [InlineData("VmRSS: 12 MB")]
    [InlineData("VmRSS: -4 kB")]
    [InlineData("VmRSS:")]
    public void Malformed_proc_status_lines_are_rejected(string line) =>
        Assert.Throws<FormatException>(() => ResidentMemory.ParseKilobytes(line));

    [Fact]
    public void The_current_process_has_resident_memory() =>
        Assert.InRange(ResidentMemory.Current(), 1L << 20, 1L << 40);

    [Fact]
    public void Status_fields_are_read_in_bytes_and_unknown_fields_are_named()
    {
        // Not VmHWM ≥ VmRSS: the kernel updates the high-water mark lazily, and other tests reset it meanwhile.
        Assert.InRange(ResidentMemory.Read("VmRSS"), 1L << 20, 1L << 40);
        Assert.InRange(ResidentMemory.Read("VmHWM"), 1L << 20, 1L << 40);

        var error = Assert.Throws<InvalidOperationException>(() => ResidentMemory.Read("VmNoSuchField"));
        Assert.Contains("no VmNoSuchField line", error.Message, StringComparison.Ordinal);
    }
}
