using System;
using System.IO;

namespace Unetr.Tests.Generator;

/// <summary>Files of this repository that tests read as data (README, preset declarations).</summary>
internal static class RepositoryFiles
{
    private static readonly Lazy<string> Root = new(FindRoot);

    public static string ReadAllText(params string[] relativePath) => File.ReadAllText(PathOf(relativePath));

    public static string PathOf(params string[] relativePath) => Path.Combine(Root.Value, Path.Combine(relativePath));

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Unetr.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException("No Unetr.sln above " + AppContext.BaseDirectory);
    }
}
