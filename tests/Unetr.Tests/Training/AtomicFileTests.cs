using System;
using System.IO;
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
}
