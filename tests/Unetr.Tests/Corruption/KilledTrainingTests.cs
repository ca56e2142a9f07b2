using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using Unetr.Model.Checkpoints;
using Unetr.Model.Presets;
using Unetr.Model.Training;
using Unetr.Tests.Training;
using Xunit;
using Xunit.Abstractions;

namespace Unetr.Tests.Corruption;

/// <summary>
/// Issue 16's kill-and-resume through the real <c>unetr</c> process: a training run killed with SIGKILL (right after a
/// checkpoint was replaced, or in the middle of writing one) and resumed with <c>--resume</c> must end with the
/// uninterrupted run's files: <c>curves.csv</c> row for row, <c>last.ckpt</c> and <c>best.ckpt</c> byte for byte,
/// <c>best.pt</c>'s tensors exactly, and no temporary file left.
/// </summary>
/// <remarks>
/// Exact comparison holds because every run uses one libtorch thread (<c>--threads 1</c>) and a fixed seed: the same
/// process-independent sequence of floating-point operations. The tests run in <see cref="TrainingCollection"/> so that no
/// other test's training competes for the two cores while the processes run.
/// </remarks>
[Collection(TrainingCollection.Name)]
public sealed class KilledTrainingTests : IDisposable, IClassFixture<KilledTrainingTests.UninterruptedRun>
{
    private const int Steps = 8;

    private const int SigStop = 19;

    private const int SigCont = 18;

    private readonly ITestOutputHelper _output;
    private readonly UninterruptedRun _uninterrupted;
    private readonly string _directory = Directory.CreateTempSubdirectory("unetr-killed-").FullName;

    public KilledTrainingTests(ITestOutputHelper output, UninterruptedRun uninterrupted) => (_output, _uninterrupted) = (output, uninterrupted);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_train_process_killed_right_after_last_ckpt_was_replaced_resumes_onto_the_uninterrupted_runs_files()
    {
        var killed = Path.Combine(_directory, "killed");
        var last = Path.Combine(killed, CheckpointFiles.Last);

        // Killed the moment last.ckpt is replaced for the first time (at step 4's validation): as soon as its temporary
        // has been renamed over it, before the process can write anything else.
        var exitCode = RunUntilKilled(killed, (_, process) =>
        {
            if (!File.Exists(last) || Directory.EnumerateFiles(killed, CheckpointFiles.Last + ".*" + AtomicFile.TemporarySuffix).FirstOrDefault() is not { } temporary)
            {
                return false;
            }

            var renamed = Stopwatch.StartNew();
            while (File.Exists(temporary))
            {
                Assert.True(renamed.Elapsed < TimeSpan.FromMinutes(1), "last.ckpt's temporary was renamed within a minute");
            }

            Assert.Equal(0, kill(process.Id, SigStop));
            return true;
        });
        _output.WriteLine($"killed right after last.ckpt was replaced: exit {exitCode}; files left: {string.Join(", ", Directory.EnumerateFiles(killed).Select(Path.GetFileName))}");

        var resumed = Resume(killed);

        Assert.True(resumed.Contains($"Resumed from {last} at step 4.", StringComparison.Ordinal), resumed);
        AssertSameRun(_uninterrupted.Folder, killed);
    }

    [Fact]
    public void A_train_process_killed_while_replacing_last_ckpt_leaves_a_temporary_that_the_resumed_run_removes()
    {
        var killed = Path.Combine(_directory, "killed");
        var last = Path.Combine(killed, CheckpointFiles.Last);

        // Killed while the temporary of a new last.ckpt is on disk beside the previous one: the process is stopped
        // (SIGSTOP) as soon as the temporary is seen, and killed only if the temporary is still there.
        string? temporary = null;
        var exitCode = RunUntilKilled(killed, (_, process) =>
        {
            if (!File.Exists(last) || Directory.EnumerateFiles(killed, CheckpointFiles.Last + ".*" + AtomicFile.TemporarySuffix).FirstOrDefault() is not { } seen)
            {
                return false;
            }

            Assert.Equal(0, kill(process.Id, SigStop));
            if (File.Exists(seen))
            {
                temporary = seen;
                return true;
            }

            Assert.Equal(0, kill(process.Id, SigCont));
            return false;
        });
        Assert.NotNull(temporary);
        Assert.True(File.Exists(temporary), "the kill left the temporary");
        _output.WriteLine($"killed while writing {Path.GetFileName(temporary)} ({new FileInfo(temporary!).Length:N0} bytes so far): exit {exitCode}");

        var resumed = Resume(killed);

        Assert.Contains($"Removed {temporary}, left by an earlier run that was stopped while writing.", resumed);
        AssertSameRun(_uninterrupted.Folder, killed);
    }

    private static string[] Arguments(string output, params string[] more) =>
        new[]
        {
            "train", "--steps", Steps.ToString(System.Globalization.CultureInfo.InvariantCulture), "--warmup", "1", "--validate-every", "2", "--batch-size", "1",
            "--train-volumes", "2", "--validation-volumes", "1", "--test-volumes", "1", "--log-every", "1", "--seed", "16", "--threads", "1", "--output", output,
        }.Concat(more).ToArray();

    private static string Resume(string folder)
    {
        var (exitCode, output, error) = BuiltTool.Run("unetr", Arguments(folder, "--resume", Path.Combine(folder, CheckpointFiles.Last)));
        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{error}");
        return output;
    }

    /// <summary>
    /// Starts <c>unetr train</c> into <paramref name="folder"/> and kills it (SIGKILL) as soon as <paramref name="killNow"/>,
    /// asked with every line printed and between lines every millisecond (with an empty line), says so. Returns the exit code.
    /// </summary>
    private static int RunUntilKilled(string folder, Func<string, Process, bool> killNow)
    {
        using var process = Process.Start(BuiltTool.Start("unetr", Arguments(folder)))!;
        var lines = new System.Collections.Concurrent.BlockingCollection<string>();
        var printed = new List<string>();
        process.OutputDataReceived += (_, e) => lines.Add(e.Data ?? string.Empty);
        process.ErrorDataReceived += (_, e) => lines.Add(e.Data ?? string.Empty);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (!process.HasExited)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(2), "the run reached the moment to kill it within two minutes:\n" + string.Join("\n", printed));
            var line = lines.TryTake(out var next, 1) ? next : string.Empty;
            if (line.Length > 0)
            {
                printed.Add(line);
            }

            if (killNow(line, process))
            {
                process.Kill();
                process.WaitForExit();
                return process.ExitCode;
            }
        }

        throw new Xunit.Sdk.XunitException("the run ended before the moment to kill it:\n" + string.Join("\n", printed));
    }

    private static void AssertSameRun(string expected, string actual)
    {
        Assert.Empty(Directory.EnumerateFiles(actual, "*" + AtomicFile.TemporarySuffix));
        var expectedRows = File.ReadAllLines(Path.Combine(expected, "curves.csv"));
        Assert.Equal(Steps + 1, expectedRows.Length);
        Assert.Equal(expectedRows, File.ReadAllLines(Path.Combine(actual, "curves.csv")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(expected, CheckpointFiles.Last)), File.ReadAllBytes(Path.Combine(actual, CheckpointFiles.Last)));
        Assert.Equal(File.ReadAllBytes(Path.Combine(expected, CheckpointFiles.Best)), File.ReadAllBytes(Path.Combine(actual, CheckpointFiles.Best)));

        using var expectedWeights = new TinyMonaiUnetr();
        using var actualWeights = new TinyMonaiUnetr();
        StateDictLoader.Load(expectedWeights, Path.Combine(expected, CheckpointFiles.BestWeights));
        StateDictLoader.Load(actualWeights, Path.Combine(actual, CheckpointFiles.BestWeights));
        var actualTensors = actualWeights.state_dict();
        foreach (var (key, tensor) in expectedWeights.state_dict())
        {
            Assert.True(tensor.shape.SequenceEqual(actualTensors[key].shape) && tensor.eq(actualTensors[key]).all().item<bool>(), $"best.pt's {key} differs");
        }
    }

    /// <summary>The files of one run of the same settings, not interrupted, for the tests to compare with.</summary>
    public sealed class UninterruptedRun : IDisposable
    {
        public UninterruptedRun()
        {
            var (exitCode, output, error) = BuiltTool.Run("unetr", Arguments(Folder));
            Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{error}");
        }

        public string Folder { get; } = Directory.CreateTempSubdirectory("unetr-uninterrupted-").FullName;

        public void Dispose() => Directory.Delete(Folder, recursive: true);
    }

    [DllImport("libc", SetLastError = true)]
#pragma warning disable SA1300, IDE1006 // The C function's own name.
    private static extern int kill(int pid, int signal);
#pragma warning restore SA1300, IDE1006
}
