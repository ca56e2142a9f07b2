using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;

namespace Unetr.Tests;

/// <summary>
/// An executable of the repository (<c>unetr</c>, <c>Unetr.Benchmarks</c>) as it was built before the tests, run as a
/// process the way a user runs it. The test project builds them without referencing them; see its project file.
/// </summary>
internal static class BuiltTool
{
    /// <summary>A <c>dotnet</c> start of the tool <paramref name="name"/> with <paramref name="args"/>, output and error redirected.</summary>
    public static ProcessStartInfo Start(string name, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(PathOf(name));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    /// <summary>Runs the tool <paramref name="name"/> with <paramref name="args"/> to its end (at most a minute); its exit code, output and error.</summary>
    public static (int ExitCode, string Output, string Error) Run(string name, params string[] args)
    {
        using var process = Process.Start(Start(name, args))!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(1)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{name} {string.Join(' ', args)} did not finish within a minute.");
        }

        return (process.ExitCode, output, error.Result);
    }

    /// <summary>The full path of the built tool <paramref name="name"/>'s entry assembly, for launchers such as <c>mpirun</c> that start it themselves.</summary>
    public static string PathOf(string name)
    {
        var key = "BuiltTool:" + name;
        var path = typeof(BuiltTool).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == key)?.Value
            ?? throw new ArgumentException($"No built tool named '{name}' in the test project's metadata.", nameof(name));
        return File.Exists(path) ? Path.GetFullPath(path) : throw new FileNotFoundException($"{name} has not been built where the test project expects it.", path);
    }
}
