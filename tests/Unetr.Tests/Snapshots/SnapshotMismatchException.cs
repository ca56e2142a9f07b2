using Xunit.Sdk;

namespace Unetr.Tests.Snapshots;

/// <summary>A snapshot check failed: the verified file is missing or differs; the received file has been written.</summary>
internal sealed class SnapshotMismatchException : XunitException
{
    public SnapshotMismatchException(string message, string receivedPath)
        : base(message) => ReceivedPath = receivedPath;

    /// <summary>Where the output that failed the check was written, for review or acceptance.</summary>
    public string ReceivedPath { get; }
}
