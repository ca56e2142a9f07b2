using System;
using System.IO;
using System.Runtime.CompilerServices;

namespace Unetr.Tests.Snapshots;

/// <summary>
/// Snapshot checks for tests: the verified file lives beside the calling test's source file and is named after the
/// file (one test class per file, named like the file) and the calling method, as Verify names it.
/// </summary>
internal static class Snapshot
{
    private static readonly bool Accept =
        SnapshotVerifier.AcceptRequested(Environment.GetEnvironmentVariable(SnapshotVerifier.AcceptVariable));

    /// <summary>Checks generated C# against <c>{Class}.{Method}[_{parameter}].verified.cs</c>.</summary>
    public static void VerifyCSharp(
        string source,
        string? parameter = null,
        [CallerFilePath] string testFile = "",
        [CallerMemberName] string testMethod = "") =>
        Verify(source, "cs", parameter, testFile, testMethod);

    /// <summary>Checks text against <c>{Class}.{Method}[_{parameter}].verified.txt</c>.</summary>
    public static void VerifyText(
        string text,
        string? parameter = null,
        [CallerFilePath] string testFile = "",
        [CallerMemberName] string testMethod = "") =>
        Verify(text, "txt", parameter, testFile, testMethod);

    private static void Verify(string text, string extension, string? parameter, string testFile, string testMethod)
    {
        var directory = Path.GetDirectoryName(testFile);
        if (string.IsNullOrEmpty(directory) || !Directory.Exists(directory))
        {
            // The path is the one the test assembly was compiled from; a build with mapped paths cannot find it.
            throw new InvalidOperationException($"The test source directory '{directory}' does not exist.");
        }

        var name = new SnapshotName(Path.GetFileNameWithoutExtension(testFile), testMethod, parameter, extension);
        new SnapshotVerifier(directory, Accept).Verify(name, text);
    }
}
