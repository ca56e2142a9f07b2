using System;
using System.IO;

namespace Unetr.Tests.Snapshots;

/// <summary>
/// Names a snapshot the way Verify does: <c>{Class}.{Method}[_{Parameter}].verified.{Extension}</c>, the received twin
/// <c>….received.{Extension}</c>. The optional suffix is what Verify's <c>UseTextForParameters(text)</c> produces, so a
/// move to Verify.Xunit keeps every committed file.
/// </summary>
internal sealed record SnapshotName
{
    public SnapshotName(string testClass, string method, string? parameter, string extension)
    {
        RequireFileNamePart(testClass, nameof(testClass));
        RequireFileNamePart(method, nameof(method));
        RequireFileNamePart(extension, nameof(extension));
        if (parameter is not null)
        {
            RequireFileNamePart(parameter, nameof(parameter));
        }

        TestClass = testClass;
        Method = method;
        Parameter = parameter;
        Extension = extension;
    }

    public string TestClass { get; }

    public string Method { get; }

    public string? Parameter { get; }

    public string Extension { get; }

    public string VerifiedFile => FileName("verified");

    public string ReceivedFile => FileName("received");

    private string FileName(string state) =>
        $"{TestClass}.{Method}{(Parameter is null ? string.Empty : "_" + Parameter)}.{state}.{Extension}";

    // A parameter such as "a/b" would silently put the snapshot in another directory.
    private static void RequireFileNamePart(string value, string argument)
    {
        if (value.Length == 0 || value.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || value.Contains('/') || value.Contains('\\'))
        {
            throw new ArgumentException($"'{value}' cannot be part of a snapshot file name.", argument);
        }
    }
}
