using System;
using System.Runtime.InteropServices;

namespace Unetr.Model.Runtime;

/// <summary>
/// libtorch's OpenMP threads busy-wait between parallel regions by default. On a machine whose cores other processes
/// share, a spinning thread holds a core its partner needs (docs/speed-notes.md, second session, has the measurements).
/// The OpenMP runtime reads the variable once, when libtorch loads, so it must be set before the first tensor
/// operation; .NET's <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not reach the native
/// environment on Unix, hence <c>setenv</c>. Only <see cref="UnetrRuntime.Configure"/> calls it.
/// </summary>
internal static class OpenMpWaitPolicy
{
    private const string Variable = "OMP_WAIT_POLICY";

    /// <summary>
    /// Sets <c>OMP_WAIT_POLICY=PASSIVE</c> for the native runtime unless the variable is already set (an explicit
    /// choice wins; set but empty keeps the runtime's default). Call before anything loads libtorch. Returns the policy
    /// in force, for reports.
    /// </summary>
    public static string PreferPassive()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { } chosen)
        {
            return chosen.Length > 0 ? $"{chosen} (from the environment)" : "runtime default (OMP_WAIT_POLICY set empty)";
        }

        if (OperatingSystem.IsWindows() || SetEnvironment(Variable, "PASSIVE", overwrite: 0) != 0)
        {
            return "runtime default";
        }

        // Child processes (the PyTorch side of the speed report, BenchmarkDotNet's runs) start from .NET's copy of the
        // environment, so set it there too: both sides of a comparison then wait the same way.
        Environment.SetEnvironmentVariable(Variable, "PASSIVE");
        return "PASSIVE (set by UnetrRuntime.Configure; set OMP_WAIT_POLICY to override)";
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnvironment([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);
}
