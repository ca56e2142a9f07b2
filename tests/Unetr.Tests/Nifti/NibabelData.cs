using System;
using System.IO;

namespace Unetr.Tests.Nifti;

/// <summary>
/// Finds the NIfTI files Debian's python3-nibabel ships as test data, which <c>.ci/run</c> unpacks into
/// <c>.cache/nibabel</c> and names in <see cref="EnvironmentVariable"/>.
/// </summary>
internal static class NibabelData
{
    public const string EnvironmentVariable = "UNETR_NIBABEL_DATA";

    /// <summary>Where <c>dpkg -x</c> of python3-nibabel puts the data, below the repository root.</summary>
    public static readonly string CacheFolder =
        Path.Combine(".cache", "nibabel", "usr", "lib", "python3", "dist-packages", "nibabel", "tests", "data");

    private static readonly Lazy<string> Folder =
        new(() => Locate(Environment.GetEnvironmentVariable(EnvironmentVariable), AppContext.BaseDirectory));

    public static string PathOf(string fileName)
    {
        var path = Path.Combine(Folder.Value, fileName);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} is missing from nibabel's test data; re-run the fetch step of .ci/run.", path);
    }

    /// <summary>
    /// The data folder: the one <paramref name="variable"/> names, else the first <see cref="CacheFolder"/> above
    /// <paramref name="start"/>. Missing data is an error, never a skip: CI always has it.
    /// </summary>
    public static string Locate(string? variable, string start)
    {
        if (!string.IsNullOrEmpty(variable))
        {
            return Directory.Exists(variable)
                ? variable
                : throw new DirectoryNotFoundException(
                    $"{EnvironmentVariable} names {variable}, which does not exist. {HowToFetch}");
        }

        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, CacheFolder);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException(
            $"nibabel's NIfTI test files were not found ({EnvironmentVariable} is unset and no {CacheFolder} above {start}). {HowToFetch}");
    }

    private const string HowToFetch =
        "Run the fetch step of .ci/run (fetch_nibabel_test_data: apt-get download python3-nibabel, then dpkg -x into "
        + ".cache/nibabel at the repository root), or run .ci/run itself.";
}
