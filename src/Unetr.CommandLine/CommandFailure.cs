using System;
using System.IO;
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

    /// <summary>Runs <paramref name="command"/>; an expected error prints its message on stderr and returns <see cref="ExitCode"/>.</summary>
    public static int Report(Func<int> command)
    {
        try
        {
            return command();
        }
        catch (Exception error) when (error is UsageException or CheckpointMismatchException or NiftiFormatException or DatasetException or InvalidDataException
                                          or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or ArgumentException)
        {
            // An ArgumentException's message ends in " (Parameter 'name')", which names our code's parameter, not the user's option.
            Console.Error.WriteLine(error is ArgumentException { ParamName: { } name } ? error.Message.Replace($" (Parameter '{name}')", string.Empty) : error.Message);
            return ExitCode;
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
