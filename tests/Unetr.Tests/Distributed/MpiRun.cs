using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using TorchSharp;
using Unetr.Model.Checkpoints;
using Unetr.Model.Presets;
using Unetr.Model.Training;
using Xunit;

namespace Unetr.Tests.Distributed;

/// <summary>
/// The built <c>unetr</c> run as one process or as several MPI ranks under Open MPI's <c>mpirun</c> (Debian's
/// <c>openmpi-bin</c>), as root and with more ranks than cores allowed, as CI runs it.
/// </summary>
internal static class MpiRun
{
    /// <summary>Longest a run of these tests may take before it counts as hung.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>A start of <c>unetr</c> with <paramref name="args"/>: directly for <paramref name="ranks"/> = 0, else under <c>mpirun -np ranks</c>.</summary>
    public static ProcessStartInfo Start(int ranks, params string[] args) =>
        ranks == 0 ? BuiltTool.Start("unetr", args) : StartHost(ranks, BuiltTool.PathOf("unetr"), args);

    /// <summary>
    /// A start of the host whose entry assembly is <paramref name="assembly"/> (run by <c>dotnet</c>) with <paramref name="args"/>:
    /// directly for <paramref name="ranks"/> = 0, else under <c>mpirun -np ranks</c>.
    /// </summary>
    public static ProcessStartInfo StartHost(int ranks, string assembly, params string[] args)
    {
        var start = new ProcessStartInfo(ranks == 0 ? "dotnet" : "mpirun") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1";
        start.Environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1";
        var launcher = ranks == 0 ? Array.Empty<string>() : new[] { "--oversubscribe", "-np", ranks.ToString(CultureInfo.InvariantCulture), "dotnet" };
        foreach (var arg in launcher.Append(assembly).Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    /// <summary>Runs to the end and returns the exit code with standard output and error.</summary>
    public static (int ExitCode, string Output, string Error) Run(ProcessStartInfo start)
    {
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(Timeout), $"{start.FileName} finished within {Timeout}");
        return (process.ExitCode, output, error.Result);
    }

    /// <summary>The parameters of a <see cref="TinyMonaiUnetr"/> state dict written by <c>train</c>, by name.</summary>
    public static Dictionary<string, float[]> Parameters(string weights)
    {
        using var network = new TinyMonaiUnetr();
        StateDictLoader.Load(network, weights);
        return network.named_parameters().ToDictionary(p => p.name, p => p.parameter.contiguous().data<float>().ToArray());
    }

    /// <summary>The parameters a training checkpoint (last.ckpt) holds, by name, and its step.</summary>
    public static (Dictionary<string, float[]> Parameters, long Step) CheckpointParameters(string checkpoint)
    {
        using var network = new TinyMonaiUnetr();
        using var optimizer = new FlatAdamW(network.parameters());
        using var stream = File.OpenRead(checkpoint);
        var progress = TrainingCheckpoint.Read(stream, network, optimizer, checkpoint);
        return (network.named_parameters().ToDictionary(p => p.name, p => p.parameter.contiguous().data<float>().ToArray()), progress.Step);
    }

    /// <summary>
    /// Largest absolute difference between two sets of parameters of the same network, with a description for a failure
    /// message: the parameter it is in and how many elements of the whole network differ by more than <paramref name="bound"/>.
    /// </summary>
    public static (double Difference, string Where) LargestDifference(Dictionary<string, float[]> expected, Dictionary<string, float[]> actual, double bound)
    {
        Assert.Equal(expected.Keys.OrderBy(k => k), actual.Keys.OrderBy(k => k));
        var differences = expected.ToDictionary(p => p.Key, p => p.Value.Zip(actual[p.Key], (a, b) => Math.Abs((double)a - b)).ToArray());
        var (name, largest) = differences.Select(p => (p.Key, p.Value.Max())).MaxBy(p => p.Item2);
        var beyond = differences.Sum(p => p.Value.Count(d => d > bound));
        var total = differences.Sum(p => p.Value.Length);
        return (largest, string.Create(CultureInfo.InvariantCulture, $"largest in {name}; {beyond} of {total} elements beyond {bound:G3}"));
    }

    /// <summary>The loss column of a run's curves.csv, by step.</summary>
    public static double[] Losses(string folder) =>
        File.ReadAllLines(Path.Combine(folder, "curves.csv")).Skip(1).Select(line => double.Parse(line.Split(',')[1], CultureInfo.InvariantCulture)).ToArray();
}

/// <summary>A run started in the background whose standard output is watched line by line.</summary>
internal sealed class WatchedRun : IDisposable
{
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();
    private readonly string _awaited;
    private readonly ManualResetEventSlim _seen = new();

    /// <summary>Starts <paramref name="start"/>, noting when a line containing <paramref name="awaited"/> is printed.</summary>
    public WatchedRun(ProcessStartInfo start, string awaited)
    {
        _awaited = awaited;
        Process = new Process { StartInfo = start };
        Process.OutputDataReceived += (_, e) =>
        {
            lock (_output)
            {
                _output.AppendLine(e.Data);
            }

            if (e.Data?.Contains(_awaited, StringComparison.Ordinal) == true)
            {
                _seen.Set();
            }
        };
        Process.ErrorDataReceived += (_, e) =>
        {
            lock (_error)
            {
                _error.AppendLine(e.Data);
            }
        };
        Process.Start();
        Process.BeginOutputReadLine();
        Process.BeginErrorReadLine();
    }

    /// <summary>The launched process (<c>unetr</c> or <c>mpirun</c>).</summary>
    public Process Process { get; }

    /// <summary>Everything printed so far, output then error.</summary>
    public string Printed
    {
        get
        {
            lock (_output)
            {
                lock (_error)
                {
                    return _output + Environment.NewLine + _error;
                }
            }
        }
    }

    /// <summary>Waits for the awaited line.</summary>
    public void WaitForLine() =>
        Assert.True(_seen.Wait(MpiRun.Timeout) || Process.HasExited && _seen.IsSet, $"'{_awaited}' was printed:\n{Printed}");

    /// <summary>The process id of MPI rank <paramref name="rank"/> among the launcher's children (Open MPI sets OMPI_COMM_WORLD_RANK in each).</summary>
    public int RankProcess(int rank)
    {
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out var pid))
            {
                continue;
            }

            try
            {
                var status = File.ReadAllLines(Path.Combine(folder, "status"));
                var parent = status.FirstOrDefault(l => l.StartsWith("PPid:", StringComparison.Ordinal))?.Split('\t', StringSplitOptions.RemoveEmptyEntries).Last().Trim();
                if (parent != Process.Id.ToString(CultureInfo.InvariantCulture))
                {
                    continue;
                }

                var environment = File.ReadAllText(Path.Combine(folder, "environ")).Split('\0');
                if (environment.Contains($"OMPI_COMM_WORLD_RANK={rank}"))
                {
                    return pid;
                }
            }
            catch (IOException)
            {
                // The process ended while it was being read.
            }
        }

        throw new InvalidOperationException($"No child of mpirun ({Process.Id}) is rank {rank}:\n{Printed}");
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit();
        }

        Process.Dispose();
        _seen.Dispose();
    }
}
