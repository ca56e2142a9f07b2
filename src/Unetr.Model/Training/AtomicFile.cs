using System;
using System.Collections.Generic;
using System.IO;
using System.Text.RegularExpressions;

namespace Unetr.Model.Training;

/// <summary>
/// Writes a file so that readers see either the old complete file or the new complete file, never a partial one:
/// the content goes to a temporary file in the same directory, is flushed to disk, then renamed over the target.
/// A rename within one directory is atomic on POSIX file systems and on NTFS.
/// </summary>
public static partial class AtomicFile
{
    /// <summary>Suffix of the temporary files; a crash between write and rename can leave one behind.</summary>
    public const string TemporarySuffix = ".tmp";

    /// <summary>
    /// Deletes the temporary files that <see cref="Write"/> left in <paramref name="directory"/> when a process died
    /// between writing and renaming: names of the form <c>{target}.{32 hex digits}.tmp</c>. Other files, <c>.tmp</c> or
    /// not, are left alone.
    /// </summary>
    /// <param name="directory">The folder to clean; nothing happens when it does not exist.</param>
    /// <param name="targets">
    /// Only the temporaries of these file names (e.g. <c>labels.nii.gz</c>); none given removes every temporary of the
    /// pattern. A command that shares its folder with others names its own targets, so that it never deletes the
    /// temporary of another process's write in progress.
    /// </param>
    /// <returns>The paths deleted.</returns>
    public static IReadOnlyList<string> RemoveStale(string directory, params string[] targets)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(targets);
        var removed = new List<string>();
        if (!Directory.Exists(directory))
        {
            return removed;
        }

        foreach (var file in Directory.EnumerateFiles(directory, "*" + TemporarySuffix))
        {
            var match = TemporaryName().Match(Path.GetFileName(file));
            if (match.Success && (targets.Length == 0 || Array.IndexOf(targets, match.Groups["target"].Value) >= 0))
            {
                File.Delete(file);
                removed.Add(file);
            }
        }

        return removed;
    }

    /// <summary>Writes <paramref name="path"/> with <paramref name="write"/>, atomically.</summary>
    /// <param name="path">The file to create or replace; its directory must exist.</param>
    /// <param name="write">Writes the whole content to the stream it is given.</param>
    /// <remarks>If <paramref name="write"/> throws, the temporary file is deleted, the target is left as it was and the exception propagates.</remarks>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        var fullPath = Path.GetFullPath(path);

        // A unique name per write, so that two writers of the same target cannot interleave in one temporary file.
        var temporary = $"{fullPath}.{Guid.NewGuid():N}{TemporarySuffix}";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);

                // Flush to the device before the rename, or a power loss could leave the new name on empty content.
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    [GeneratedRegex(@"^(?<target>.+)\.[0-9a-f]{32}\.tmp$", RegexOptions.CultureInvariant)]
    private static partial Regex TemporaryName();
}
