using System;
using System.IO;

namespace Unetr.Tests.Nifti;

/// <summary>
/// The NIfTI files of nibabel's test data that the reader's tests use, kept in <c>tests/Unetr.Tests/Nifti/NibabelFiles</c>
/// (see the README there) and copied beside the test assembly by the build.
/// </summary>
internal static class NibabelData
{
    /// <summary>The folder beside the test assembly that holds the files.</summary>
    public static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Nifti", "NibabelFiles");

    public static string PathOf(string fileName)
    {
        var path = Path.Combine(Folder, fileName);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException(
                $"{path} is missing: the build copies tests/Unetr.Tests/Nifti/NibabelFiles beside the test assembly.", path);
    }
}
