using System;
using System.IO;
using System.Text;
using DiffPlex.Renderer;

namespace Unetr.Tests.Snapshots;

/// <summary>
/// Compares text with a committed <c>*.verified.*</c> file in one directory. On a mismatch or a missing file it writes
/// <c>*.received.*</c> beside it and fails with a unified diff; in accept mode it (over)writes the verified file and passes.
/// The directory and the mode are injected so the helper can be tested against a temporary directory.
/// </summary>
internal sealed class SnapshotVerifier
{
    /// <summary>Set to <c>1</c> (or <c>true</c>) to accept every received output as the new verified snapshot.</summary>
    public const string AcceptVariable = "UNETR_ACCEPT_SNAPSHOTS";

    // Verify's default encoding (UTF-8 with a byte-order mark), so that switching to Verify rewrites no file.
    private static readonly Encoding FileEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: true);

    private readonly string directory;
    private readonly bool accept;

    public SnapshotVerifier(string directory, bool accept)
    {
        this.directory = directory;
        this.accept = accept;
    }

    /// <summary>Whether the value of <see cref="AcceptVariable"/> asks for acceptance.</summary>
    public static bool AcceptRequested(string? value) =>
        value is not null && (value.Trim() == "1" || value.Trim().Equals("true", StringComparison.OrdinalIgnoreCase));

    /// <summary>Line endings differ between checkouts (git autocrlf) and generators; the content is what is verified.</summary>
    public static string NormalizeLineEndings(string text) => text.Replace("\r\n", "\n").Replace('\r', '\n');

    /// <exception cref="SnapshotMismatchException">The verified file is missing or differs, and accept mode is off.</exception>
    public void Verify(SnapshotName name, string received)
    {
        var text = NormalizeLineEndings(received);
        var verifiedPath = Path.Combine(directory, name.VerifiedFile);
        var receivedPath = Path.Combine(directory, name.ReceivedFile);
        var verified = File.Exists(verifiedPath) ? NormalizeLineEndings(File.ReadAllText(verifiedPath)) : null;

        if (verified == text)
        {
            // A received file left by an earlier failure would otherwise look like a pending change.
            File.Delete(receivedPath);
            return;
        }

        if (accept)
        {
            File.WriteAllText(verifiedPath, text, FileEncoding);
            File.Delete(receivedPath);
            return;
        }

        File.WriteAllText(receivedPath, text, FileEncoding);
        throw new SnapshotMismatchException(Describe(name, verified, text, receivedPath), receivedPath);
    }

    private static string Describe(SnapshotName name, string? verified, string received, string receivedPath)
    {
        var message = new StringBuilder();
        message.Append(verified is null
            ? $"No verified snapshot {name.VerifiedFile} yet."
            : $"The output differs from the verified snapshot {name.VerifiedFile}.");
        message.Append('\n')
            .Append("Received: ").Append(receivedPath).Append('\n')
            .Append("If the change is intended, rename the received file to ").Append(name.VerifiedFile)
            .Append(" or rerun with ").Append(AcceptVariable).Append("=1.\n");

        if (verified is not null)
        {
            var diff = new UnidiffRenderer(contextLines: 3)
                .Generate(verified, received, name.VerifiedFile, name.ReceivedFile, ignoreWhitespace: false, ignoreCase: false);
            message.Append(NormalizeLineEndings(diff));
        }

        return message.ToString();
    }
}
