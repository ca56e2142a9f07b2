using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.Tasks;

namespace Unetr.Measurement.Speed;

/// <summary>
/// The PyTorch side of the speed report as a long-lived process (<c>unetr_torch.py --serve</c>): it loads the same
/// weights once, checks its output against TorchSharp's, then runs one forward or train step per command and reports
/// the seconds it measured itself. Driving it round by round lets the two sides alternate, so both see the same load.
/// </summary>
internal sealed class PyTorchWorker : IDisposable
{
    private readonly Process process;
    private readonly Task<string> standardError;

    private PyTorchWorker(Process process, Task<string> standardError, Facts facts)
    {
        this.process = process;
        this.standardError = standardError;
        Torch = facts.Torch;
        MaxAbsDiff = facts.MaxAbsDiff;
    }

    /// <summary>PyTorch's version.</summary>
    public string Torch { get; }

    /// <summary>Largest absolute difference between PyTorch's eval output and TorchSharp's.</summary>
    public double MaxAbsDiff { get; }

    /// <summary>Starts the worker on a case file and waits until it has loaded the weights and checked the output.</summary>
    /// <param name="python">The interpreter.</param>
    /// <param name="script">The worker script.</param>
    /// <param name="casePath">The case file the speed report wrote.</param>
    /// <param name="threads">libtorch intra-op threads.</param>
    /// <param name="sameHeap">
    /// Whether the worker inherits this process's C-heap settings (<see cref="Unetr.Model.Runtime.UnetrRuntimeOptions.KeepFreedMemory"/>);
    /// <c>false</c> removes them, so PyTorch runs with glibc's defaults, as it does when installed.
    /// </param>
    public static PyTorchWorker Start(string python, string script, string casePath, int threads, bool sameHeap = true)
    {
        var start = new ProcessStartInfo(python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add("--serve");
        start.ArgumentList.Add(casePath);

        // PyTorch's OpenMP pool would otherwise size itself from the environment before set_num_threads runs.
        start.Environment["OMP_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
        if (!sameHeap)
        {
            foreach (var variable in Unetr.Model.Runtime.NativeHeap.EnvironmentVariables)
            {
                start.Environment.Remove(variable);
            }
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {python}.");
        var standardError = process.StandardError.ReadToEndAsync();
        var first = process.StandardOutput.ReadLine();
        if (first is null)
        {
            process.WaitForExit();
            throw new InvalidOperationException($"{python} {script} --serve ended before it was ready ({process.ExitCode}):\n{standardError.Result}");
        }

        var facts = JsonSerializer.Deserialize<Facts>(first, new JsonSerializerOptions
            {
                PropertyNamingPolicy = JsonNamingPolicy.CamelCase,

                // Python's json writes NaN for a difference that is not a number; report it rather than fail on it.
                NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            })
            ?? throw new InvalidOperationException($"Unexpected first line from {script}: {first}");
        return new PyTorchWorker(process, standardError, facts);
    }

    /// <summary>
    /// The best float32 GFLOP/s of this PyTorch's <c>matmul</c> (its BLAS) and of a channels-last 1×1×1 convolution
    /// (oneDNN when PyTorch was built with it), and whether it was.
    /// </summary>
    public (double Matmul, double Convolution, bool OneDnn) Gemm()
    {
        var parts = Ask("gemm").Split(' ');
        return (double.Parse(parts[0], CultureInfo.InvariantCulture), double.Parse(parts[1], CultureInfo.InvariantCulture), parts[2] == "True");
    }

    /// <summary>Runs <c>forward</c> or <c>train B</c> (a step on the batch of size B) once in the worker and returns the seconds it measured.</summary>
    public double Run(string command) => double.Parse(Ask(command), CultureInfo.InvariantCulture);

    /// <summary>Runs a train step in the worker and returns the seconds of zero_grad, forward, backward and the optimizer step.</summary>
    public double[] RunTrainParts() =>
        Ask("train-parts").Split(' ').Select(part => double.Parse(part, CultureInfo.InvariantCulture)).ToArray();

    /// <inheritdoc />
    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.StandardInput.WriteLine("quit");
            process.StandardInput.Flush();
            if (!process.WaitForExit(10_000))
            {
                process.Kill();
            }
        }

        process.Dispose();
    }

    private sealed record Facts(string Torch, int Threads, double MaxAbsDiff);

    private string Ask(string command)
    {
        process.StandardInput.WriteLine(command);
        process.StandardInput.Flush();
        return process.StandardOutput.ReadLine()
            ?? throw new InvalidOperationException($"The PyTorch worker stopped during '{command}':\n{(process.WaitForExit(10_000) ? standardError.Result : "(still running)")}");
    }
}
