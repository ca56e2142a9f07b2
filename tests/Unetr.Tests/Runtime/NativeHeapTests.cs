using System;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Unetr.Measurement.Memory;
using Unetr.Model.Runtime;
using Xunit;

namespace Unetr.Tests.Runtime;

public sealed class NativeHeapTests
{
    // In a process of its own: glibc's settings are process-wide, and only the main thread's arena is predictable.
    [Fact]
    public void A_large_tensor_allocated_again_reuses_the_pages_of_the_one_freed_before()
    {
        var (kept, pages) = SecondFillFaults(environment: null);
        var (defaults, _) = SecondFillFaults(environment: "65536");

        Assert.True(kept < pages / 10, $"with freed memory kept: {kept} page faults for {pages} pages");
        Assert.True(defaults > pages / 2, $"with glibc's defaults (the control): {defaults} page faults for {pages} pages");
    }

    [Fact]
    public void An_explicit_choice_in_the_environment_wins()
    {
        var previous = Environment.GetEnvironmentVariable("MALLOC_MMAP_MAX_");
        try
        {
            Environment.SetEnvironmentVariable("MALLOC_MMAP_MAX_", "65536");

            Assert.Equal("MALLOC_MMAP_MAX_=65536 (from the environment)", NativeHeap.KeepFreedMemory());
        }
        finally
        {
            Environment.SetEnvironmentVariable("MALLOC_MMAP_MAX_", previous);
        }
    }

    // Runs the benchmarks' `heap` verb; a MALLOC_MMAP_MAX_ value leaves glibc's defaults in force (an explicit choice wins).
    private static (long Faults, long Pages) SecondFillFaults(string? environment)
    {
        var start = BuiltTool.Start("Unetr.Benchmarks", "heap");
        foreach (var variable in NativeHeap.EnvironmentVariables)
        {
            start.Environment.Remove(variable);
        }

        if (environment is not null)
        {
            start.Environment["MALLOC_MMAP_MAX_"] = environment;
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "the heap check finished");
        Assert.True(process.ExitCode == 0, $"heap check exited with {process.ExitCode}:\n{stdout}\n{stderr.Result}");
        var match = Regex.Match(stdout, @"second fill: (\d+) page faults, (\d+) pages");
        Assert.True(match.Success, $"unexpected output:\n{stdout}");
        Assert.Equal(HeapReuseCheck.Size / Environment.SystemPageSize, long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
        return (long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
    }
}
