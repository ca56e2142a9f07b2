using System;
using System.IO;
using System.Linq;
using Unetr.Model.Training;
using Xunit;

namespace Unetr.Tests.Training;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("unetr-atomic-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Writes_the_content_and_leaves_no_temporary_file()
    {
        var path = Path.Combine(_directory, "state.ckpt");

        AtomicFile.Write(path, stream => stream.Write(new byte[] { 1, 2, 3 }));

        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(path));
        Assert.Equal(new[] { path }, Directory.GetFiles(_directory));
    }

    [Fact]
    public void Failed_write_keeps_the_previous_file_and_removes_the_temporary_one()
    {
        var path = Path.Combine(_directory, "state.ckpt");
        File.WriteAllBytes(path, new byte[] { 9, 9 });

        Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[] { 1, 2, 3 });
            stream.Flush();
            throw new IOException("disk full");
        }));

        Assert.Equal(new byte[] { 9, 9 }, File.ReadAllBytes(path));
        Assert.Equal(new[] { path }, Directory.GetFiles(_directory));
    }

    [Fact]
    public void Failed_first_write_creates_no_file()
    {
        var path = Path.Combine(_directory, "state.ckpt");

        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.WriteByte(1);
            throw new InvalidOperationException("serialiser failed");
        }));

        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public void Stale_temporaries_of_its_own_pattern_are_removed_and_other_files_kept()
    {
        var ours = new[] { "best.pt.0123456789abcdef0123456789abcdef.tmp", "labels.nii.gz.fedcba9876543210fedcba9876543210.tmp" };
        var others = new[] { "notes.tmp", "best.pt.1234.tmp", "best.pt.0123456789ABCDEF0123456789ABCDEF.tmp", "best.pt", "0123456789abcdef0123456789abcdef.tmp" };
        foreach (var name in ours.Concat(others))
        {
            File.WriteAllText(Path.Combine(_directory, name), "x");
        }

        var onlyLabels = AtomicFile.RemoveStale(_directory, "labels.nii.gz");
        var all = AtomicFile.RemoveStale(_directory);

        Assert.Equal(new[] { Path.Combine(_directory, ours[1]) }, onlyLabels);
        Assert.Equal(new[] { Path.Combine(_directory, ours[0]) }, all);
        Assert.Equal(others.Select(name => Path.Combine(_directory, name)).Order(StringComparer.Ordinal), Directory.GetFiles(_directory).Order(StringComparer.Ordinal));
        Assert.Empty(AtomicFile.RemoveStale(Path.Combine(_directory, "absent")));
    }

    [Fact]
    public void A_temporary_left_by_a_failed_rename_matches_the_stale_pattern()
    {
        // The target is a folder, so the rename fails after the temporary was written; the write cleans up after itself,
        // and the name it used is one RemoveStale recognises (checked through the file a kill would have left).
        var target = Path.Combine(_directory, "state.ckpt");
        Directory.CreateDirectory(target);
        string? temporary = null;

        Assert.ThrowsAny<Exception>(() => AtomicFile.Write(target, stream => temporary = ((FileStream)stream).Name));
        File.WriteAllText(temporary!, "left by a kill");

        Assert.Equal(new[] { temporary! }, AtomicFile.RemoveStale(_directory, "state.ckpt"));
    }
}
