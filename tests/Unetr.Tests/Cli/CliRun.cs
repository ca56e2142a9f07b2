using System;
using System.IO;
using Unetr.CommandLine;

namespace Unetr.Tests.Cli;

/// <summary>One in-process run of the <c>unetr</c> command line, its exit code and what it printed.</summary>
/// <remarks>
/// Console output is process-wide, so these runs belong to a collection that runs alone
/// (<see cref="Training.TrainingCollection"/>, which also keeps libtorch on one thread and its generator to itself).
/// </remarks>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    public static CliRun Of(params string[] args) => Watched(_ => { }, args);

    /// <summary>A run of a host that offers <paramref name="networks"/> besides the presets.</summary>
    public static CliRun With(System.Collections.Generic.IReadOnlyList<Unetr.Model.Presets.Preset> networks, params string[] args) =>
        Run(networks, _ => { }, args);

    /// <summary>Runs <paramref name="args"/>, calling <paramref name="onLine"/> with every line printed on standard output as it is printed.</summary>
    public static CliRun Watched(Action<string> onLine, params string[] args) =>
        Run(Array.Empty<Unetr.Model.Presets.Preset>(), onLine, args);

    private static CliRun Run(System.Collections.Generic.IReadOnlyList<Unetr.Model.Presets.Preset> networks, Action<string> onLine, string[] args)
    {
        var (output, error) = (new LineWatcher(onLine), new StringWriter());
        var (previousOutput, previousError) = (Console.Out, Console.Error);
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            var exitCode = UnetrCommandLine.Run(args, networks);
            return new CliRun(exitCode, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(previousOutput);
            Console.SetError(previousError);
        }
    }

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}--- stderr\n{Error}";

    private sealed class LineWatcher(Action<string> onLine) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            onLine(value ?? string.Empty);
        }
    }
}
