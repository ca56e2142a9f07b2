using System;
using System.IO;
using System.Text;
using Xunit;

namespace Unetr.Tests.Snapshots;

/// <summary>The snapshot helper against a temporary directory: pass, fail with a diff, write received files, accept.</summary>
public sealed class SnapshotVerifierTests : IDisposable
{
    private static readonly SnapshotName Name = new("NetTests", "Emits_forward", "Tiny", "cs");

    private readonly string directory = Directory.CreateTempSubdirectory("unetr-snapshots-").FullName;

    private string VerifiedPath => Path.Combine(directory, "NetTests.Emits_forward_Tiny.verified.cs");

    private string ReceivedPath => Path.Combine(directory, "NetTests.Emits_forward_Tiny.received.cs");

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void Names_files_as_verify_does()
    {
        Assert.Equal("NetTests.Emits_forward_Tiny.verified.cs", Name.VerifiedFile);
        Assert.Equal("NetTests.Emits_forward_Tiny.received.cs", Name.ReceivedFile);
        Assert.Equal("A.B.verified.txt", new SnapshotName("A", "B", null, "txt").VerifiedFile);
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData("")]
    public void Rejects_a_parameter_that_is_not_a_file_name(string parameter)
    {
        Assert.Throws<ArgumentException>(() => new SnapshotName("A", "B", parameter, "txt"));
    }

    [Fact]
    public void Matching_output_passes_and_removes_a_stale_received_file()
    {
        File.WriteAllText(VerifiedPath, "line 1\nline 2\n");
        File.WriteAllText(ReceivedPath, "left by an earlier failure");

        new SnapshotVerifier(directory, accept: false).Verify(Name, "line 1\nline 2\n");

        Assert.False(File.Exists(ReceivedPath));
    }

    [Fact]
    public void Line_endings_do_not_count_as_a_difference()
    {
        File.WriteAllText(VerifiedPath, "line 1\r\nline 2\r\n");

        new SnapshotVerifier(directory, accept: false).Verify(Name, "line 1\nline 2\n");

        Assert.False(File.Exists(ReceivedPath));
    }

    [Fact]
    public void Mismatch_fails_with_a_unified_diff_and_writes_the_received_file()
    {
        File.WriteAllText(VerifiedPath, "one\ntwo\nthree\nfour\nfive\nsix\nseven\nwas eight\nnine\n");
        const string output = "one\ntwo\nthree\nfour\nfive\nsix\nseven\nis eight\nnine\n";

        var failure = Assert.Throws<SnapshotMismatchException>(() => new SnapshotVerifier(directory, accept: false).Verify(Name, output));

        Assert.Contains("--- NetTests.Emits_forward_Tiny.verified.cs", failure.Message);
        Assert.Contains("+++ NetTests.Emits_forward_Tiny.received.cs", failure.Message);
        Assert.Contains("\n-was eight\n+is eight\n", failure.Message);
        Assert.Contains("@@ ", failure.Message);
        Assert.DoesNotContain("\n one\n", failure.Message);
        Assert.Contains(SnapshotVerifier.AcceptVariable + "=1", failure.Message);
        Assert.Equal(ReceivedPath, failure.ReceivedPath);
        Assert.Equal(output, File.ReadAllText(ReceivedPath));
        Assert.Contains("was eight", File.ReadAllText(VerifiedPath));
    }

    [Fact]
    public void Missing_verified_file_fails_and_writes_the_received_file()
    {
        var failure = Assert.Throws<SnapshotMismatchException>(() => new SnapshotVerifier(directory, accept: false).Verify(Name, "new\n"));

        Assert.Contains("No verified snapshot NetTests.Emits_forward_Tiny.verified.cs", failure.Message);
        Assert.Equal("new\n", File.ReadAllText(ReceivedPath));
        Assert.False(File.Exists(VerifiedPath));
    }

    [Fact]
    public void Received_files_have_normalized_line_endings()
    {
        Assert.Throws<SnapshotMismatchException>(() => new SnapshotVerifier(directory, accept: false).Verify(Name, "a\r\nb\rc\n"));

        Assert.Equal("a\nb\nc\n", File.ReadAllText(ReceivedPath));
    }

    [Fact]
    public void Accept_mode_writes_a_missing_verified_file_and_passes()
    {
        new SnapshotVerifier(directory, accept: true).Verify(Name, "first\r\n");

        Assert.Equal("first\n", File.ReadAllText(VerifiedPath));
        Assert.False(File.Exists(ReceivedPath));
    }

    [Fact]
    public void Accept_mode_overwrites_a_differing_verified_file_and_removes_the_received_file()
    {
        File.WriteAllText(VerifiedPath, "old\n");
        File.WriteAllText(ReceivedPath, "old failure\n");

        new SnapshotVerifier(directory, accept: true).Verify(Name, "new\n");

        Assert.Equal("new\n", File.ReadAllText(VerifiedPath));
        Assert.False(File.Exists(ReceivedPath));
    }

    [Fact]
    public void Verified_files_are_written_as_utf8_with_a_byte_order_mark_like_verify()
    {
        new SnapshotVerifier(directory, accept: true).Verify(Name, "× 2\n");

        var bytes = File.ReadAllBytes(VerifiedPath);
        Assert.Equal(Encoding.UTF8.GetPreamble(), bytes[..3]);
        Assert.Equal("× 2\n", Encoding.UTF8.GetString(bytes[3..]));
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("0", false)]
    [InlineData("false", false)]
    public void Accept_mode_is_requested_by_one_or_true(string? value, bool expected)
    {
        Assert.Equal(expected, SnapshotVerifier.AcceptRequested(value));
    }
}
