using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Unetr.Tests.Training;
using Xunit;

namespace Unetr.Tests.Cli;

[Collection(TrainingCollection.Name)]
public sealed class ResumeIntegrityTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("unetr-resume-integrity-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Resuming_from_a_checkpoint_with_a_flipped_byte_is_refused_in_one_line_and_trains_nothing()
    {
        Assert.Equal(0, Train(steps: 2).ExitCode);
        var checkpoint = Path.Combine(_directory, "last.ckpt");
        var bytes = File.ReadAllBytes(checkpoint);
        bytes[bytes.Length / 2] ^= 0x04;
        File.WriteAllBytes(checkpoint, bytes);
        var curves = File.ReadAllText(Path.Combine(_directory, "curves.csv"));

        var resumed = Train(steps: 4, "--resume", checkpoint);

        Assert.True(resumed.ExitCode == 2, resumed.ToString());
        var error = Assert.Single(resumed.Error.Trim().Split('\n'));
        Assert.Contains($"'{checkpoint}'", error);
        Assert.Contains("checksum", error);
        Assert.Equal(bytes, File.ReadAllBytes(checkpoint));
        Assert.Equal(curves, File.ReadAllText(Path.Combine(_directory, "curves.csv")));
    }

    private CliRun Train(int steps, params string[] more) =>
        CliRun.Of(new[]
        {
            "train", "--steps", steps.ToString(CultureInfo.InvariantCulture), "--warmup", "1", "--validate-every", "2", "--batch-size", "1",
            "--train-volumes", "2", "--validation-volumes", "1", "--test-volumes", "1", "--log-every", "2", "--output", _directory,
        }.Concat(more).ToArray());
}
