using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Unetr.Model.Runtime;
using Unetr.Tests.Training;
using Xunit;

namespace Unetr.Tests.Runtime;

// The first two cases run in a process of their own (RuntimeProbe): the settings are process-wide, and this test
// process may have been configured already by an in-process run of the command line. The third changes the routing
// policy of the test process for a moment, so the class runs alone.
[Collection(TrainingCollection.Name)]
public sealed class RuntimeConfigurationTests
{
    private static readonly string[] Variables = NativeHeap.EnvironmentVariables.Append("OMP_WAIT_POLICY").ToArray();

    [Fact]
    public void Training_and_inference_without_configure_leave_the_process_settings_alone()
    {
        var output = RunProbe("plain");

        Assert.Contains("native OMP_WAIT_POLICY: unset", output);
        Assert.Contains("MALLOC_MMAP_MAX_: unset", output);
        Assert.Contains("MALLOC_TRIM_THRESHOLD_: unset", output);
        Assert.Contains("release every: 0", output);
        var (faults, pages) = SecondFill(output);
        Assert.True(faults > pages / 2, $"glibc's defaults should map the second tensor afresh: {faults} page faults for {pages} pages\n{output}");
    }

    [Fact]
    public void Configure_applies_the_recommended_settings()
    {
        var output = RunProbe("configure");

        Assert.Contains("native OMP_WAIT_POLICY: PASSIVE", output);
        Assert.Contains("MALLOC_MMAP_MAX_: 0", output);
        Assert.Contains("release every: 10", output);
        var (faults, pages) = SecondFill(output);
        Assert.True(faults < pages / 10, $"with freed memory kept the second tensor should reuse pages: {faults} page faults for {pages} pages\n{output}");
    }

    [Fact]
    public void Configure_twice_reports_the_same_and_sets_the_routing_policy()
    {
        // In-process: the first call's environment and heap settings are whatever this process already has; what is
        // checked is that a second call agrees with the first and that the routing policy follows the options.
        var plain = new UnetrRuntimeOptions { Routing = CpuRoutingPolicy.Plain };
        try
        {
            var first = UnetrRuntime.Configure(plain);
            var second = UnetrRuntime.Configure(plain);

            Assert.Equal(first, second);
            Assert.Same(second, UnetrRuntime.Report);
            Assert.Same(CpuRoutingPolicy.Plain, OnOtherThread(() => CpuRoutingPolicy.Current));
        }
        finally
        {
            UnetrRuntime.Configure(UnetrRuntimeOptions.Recommended);
        }

        Assert.Equal(CpuRoutingPolicy.Default, CpuRoutingPolicy.Current);
    }

    private static T OnOtherThread<T>(Func<T> body)
    {
        T result = default!;
        var thread = new System.Threading.Thread(() => result = body());
        thread.Start();
        thread.Join();
        return result;
    }

    private static (long Faults, long Pages) SecondFill(string output)
    {
        var match = Regex.Match(output, @"second fill: (\d+) page faults, (\d+) pages");
        Assert.True(match.Success, $"unexpected output:\n{output}");
        return (long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    private static string RunProbe(string mode)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Unetr.Tests.dll"));
        start.ArgumentList.Add(mode);
        foreach (var variable in Variables)
        {
            start.Environment.Remove(variable);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(3)), "the probe finished");
        Assert.True(process.ExitCode == 0, $"probe exited with {process.ExitCode}:\n{stdout}\n{stderr.Result}");
        return stdout;
    }
}
