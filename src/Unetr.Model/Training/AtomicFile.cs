using System;
using System.IO;

namespace Unetr.Model.Training;

/// <summary>
/// Writes a file so that readers see either the old complete file or the new complete file, never a partial one:
/// the content goes to a temporary file in the same directory, is flushed to disk, then renamed over the target.
/// A rename within one directory is atomic on POSIX file systems and on NTFS.
/// </summary>
public static class AtomicFile
{
    /// <summary>Suffix of the temporary files; a crash between write and rename can leave one behind.</summary>
    public const string TemporarySuffix = ".tmp";

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
}
