using System;
using System.IO;
using System.Linq;
using Unetr.Model.Training;

namespace Unetr.CommandLine;

/// <summary>
/// Checks, before a command does its work, that the paths it will write can be written, so that a run never fails at
/// the end for a path the user could have fixed at the start. Missing parent folders are not an error: they are
/// created when the file is written (and not before, so that a refused run creates nothing).
/// </summary>
internal static class OutputPaths
{
    /// <summary>Target part of the probe files' names (see <see cref="AtomicFile.RemoveStale"/>).</summary>
    public const string Probe = ".unetr-write-check";

    /// <summary>Checks that a file can be created or replaced at <paramref name="path"/>; returns its full path.</summary>
    /// <param name="path">The path given.</param>
    /// <param name="option">The option that named it, for the message.</param>
    /// <exception cref="UsageException">The path is a folder, a parent is a file, or the nearest existing folder cannot be written.</exception>
    public static string RequireFile(string path, string option)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new UsageException($"{option} '{full}' is a folder; give a file name.");
        }

        RequireWritableFolder(Path.GetDirectoryName(full)!, full, option);
        return full;
    }

    /// <summary>Checks that <paramref name="path"/> is, or can be created as, a writable folder; returns its full path.</summary>
    /// <param name="path">The path given.</param>
    /// <param name="option">The option that named it, for the message.</param>
    /// <param name="files">Names of the files the command writes in the folder: none may be a folder.</param>
    /// <exception cref="UsageException">The path is a file, one of <paramref name="files"/> is a folder, or the folder cannot be written.</exception>
    public static string RequireFolder(string path, string option, params string[] files)
    {
        var full = Path.GetFullPath(path);
        RequireWritableFolder(full, full, option);
        foreach (var file in files)
        {
            if (Directory.Exists(Path.Combine(full, file)))
            {
                throw new UsageException($"{option} '{full}' holds a folder named {file}, where a file will be written; move it away.");
            }
        }

        return full;
    }

    /// <summary>
    /// Deletes what an earlier run stopped while writing these files left beside them (see <see cref="AtomicFile.RemoveStale"/>)
    /// and says so; the temporaries of other files in their folders are left alone.
    /// </summary>
    /// <param name="fullPaths">Full paths of the files the command writes; <c>null</c> entries are skipped.</param>
    public static void RemoveStaleTemporaries(params string?[] fullPaths)
    {
        foreach (var path in fullPaths.OfType<string>())
        {
            foreach (var stale in AtomicFile.RemoveStale(Path.GetDirectoryName(path)!, Path.GetFileName(path), Probe))
            {
                Console.WriteLine($"Removed {stale}, left by an earlier run that was stopped while writing.");
            }
        }
    }

    private static void RequireWritableFolder(string folder, string given, string option)
    {
        var existing = folder;
        while (!Directory.Exists(existing))
        {
            if (File.Exists(existing))
            {
                throw new UsageException($"{option} '{given}' cannot be written: '{existing}' is a file, not a folder.");
            }

            existing = Path.GetDirectoryName(existing)!;
        }

        // A probe file proves the folder writable (permissions, a read-only mount, a full disk's inode table) where
        // reading its attributes would not. Its name follows AtomicFile's pattern, so a kill here leaves nothing that the
        // next run does not remove.
        var probe = Path.Combine(existing, $"{Probe}.{Guid.NewGuid():N}{AtomicFile.TemporarySuffix}");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{option} '{given}' cannot be written: {error.Message}");
        }
    }
}
