using System;
using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace Unetr.Tests.Packaging;

/// <summary>Runs the <c>dotnet</c> command as a user would, logs what it printed and fails the test on a non-zero exit.</summary>
internal sealed class DotnetProcess(ITestOutputHelper output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(10);

    /// <summary>The configuration this test assembly was built in (<c>bin/Release/net10.0</c> → Release), for <c>dotnet run -c</c>.</summary>
    public static string BuildConfiguration { get; } =
        new System.IO.DirectoryInfo(AppContext.BaseDirectory.TrimEnd(System.IO.Path.DirectorySeparatorChar)).Parent!.Name;

    /// <summary>Runs <c>dotnet <paramref name="arguments"/></c> in <paramref name="workingDirectory"/> and returns its standard output.</summary>
    public string Run(string arguments, string workingDirectory)
    {
        var (exitCode, stdout, stderr) = RunAllowingFailure(arguments, workingDirectory);
        Assert.True(exitCode == 0, $"dotnet {arguments} exited with {exitCode}:\n{stdout}\n{stderr}");
        return stdout;
    }

    /// <summary>Runs <c>dotnet <paramref name="arguments"/></c> and returns its exit code and both outputs.</summary>
    public (int ExitCode, string Output, string Error) RunAllowingFailure(string arguments, string workingDirectory)
    {
        var start = new ProcessStartInfo("dotnet", arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(Limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {arguments} did not finish in {Limit.TotalMinutes} minutes.");
        }

        output.WriteLine($"$ dotnet {arguments}  (in {workingDirectory})\n{stdout}{stderr.Result}");
        return (process.ExitCode, stdout, stderr.Result);
    }
}
