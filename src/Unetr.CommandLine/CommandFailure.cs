using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Unetr.Model.Checkpoints;
using Unetr.Model.Data.Nifti;
using Unetr.Model.Data.Sources;

namespace Unetr.CommandLine;

/// <summary>A problem with what the user asked for: reported as its message alone, with exit code <see cref="CommandFailure.ExitCode"/>.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>Turns the errors a command expects (bad input, unreadable files, weights that do not fit) into a message and an exit code.</summary>
internal static class CommandFailure
{
    /// <summary>The exit code of a command that could not do what was asked.</summary>
    public const int ExitCode = 2;

    /// <summary>Set to 1, a native error also prints libtorch's full message and the .NET stack trace.</summary>
    public const string TraceVariable = "UNETR_TRACE";

    /// <summary>
    /// Runs <paramref name="command"/>; an expected error prints its message on stderr and returns <see cref="ExitCode"/>.
    /// A file-system error and an error raised inside libtorch are reported in one line too (libtorch's first line names the
    /// operation and the sizes; its native stack trace follows only with <see cref="TraceVariable"/>=1).
    /// </summary>
    public static int Report(Func<int> command)
    {
        try
        {
            return command();
        }
        catch (Exception error) when (error is UsageException or CheckpointMismatchException or NiftiFormatException or DatasetException or InvalidDataException
                                          or IOException or UnauthorizedAccessException or ArgumentException)
        {
            // An ArgumentException's message ends in " (Parameter 'name')", which names our code's parameter, not the user's option.
            Console.Error.WriteLine(error is ArgumentException { ParamName: { } name } ? error.Message.Replace($" (Parameter '{name}')", string.Empty) : error.Message);
            return ExitCode;
        }
        catch (ExternalException error)
        {
            var first = error.Message.Split('\n').Select(line => line.Trim()).FirstOrDefault(line => line.Length > 0) ?? error.GetType().Name;
            var trace = Environment.GetEnvironmentVariable(TraceVariable) == "1";
            Console.Error.WriteLine(trace ? $"libtorch failed in {Operation(error)}: {error}" : $"libtorch failed in {Operation(error)}: {first} (set {TraceVariable}=1 for the full trace)");

            return ExitCode;
        }
    }

    /// <summary>The TorchSharp operation that raised <paramref name="error"/> (the frame that called into libtorch), e.g. <c>Tensor.reshape</c>.</summary>
    private static string Operation(Exception error)
    {
        var method = new StackTrace(error).GetFrames()
            .Select(frame => frame.GetMethod())
            .FirstOrDefault(m => m?.DeclaringType?.Namespace?.StartsWith("TorchSharp", StringComparison.Ordinal) == true && m.Name != "CheckForErrors");
        return method is null ? "a native call" : $"{method.DeclaringType!.Name}.{method.Name}";
    }

    /// <summary>Runs <paramref name="write"/>; if it throws, deletes <paramref name="written"/> (the files of this run written so far) and rethrows.</summary>
    public static void DeleteOnFailure(Action write, params string[] written)
    {
        try
        {
            write();
        }
        catch
        {
            foreach (var path in written)
            {
                File.Delete(path);
            }

            throw;
        }
    }

    /// <summary>Throws a <see cref="UsageException"/> naming <paramref name="path"/> when no file is there.</summary>
    /// <param name="path">The path given.</param>
    /// <param name="what">What the file should hold, e.g. "image" (used as "No image at …").</param>
    /// <param name="option">The option that named it.</param>
    public static void RequireFile(string path, string what, string option)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"No {what} at '{Path.GetFullPath(path)}' ({option}).");
        }
    }
}
