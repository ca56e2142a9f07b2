using System;
using System.Globalization;
using System.Runtime.InteropServices;
using Unetr.Model.Data;
using Unetr.Model.Inference;
using Unetr.Model.Presets;
using Unetr.Measurement.Memory;
using Unetr.Model.Runtime;
using Unetr.Model.Training;
using static TorchSharp.torch;

namespace Unetr.Tests.Runtime;

/// <summary>
/// This assembly's entry point, run as a child process by <see cref="RuntimeConfigurationTests"/>: optionally calls
/// <see cref="UnetrRuntime.Configure"/>, trains a tiny network for two steps, runs the sliding-window inferer, then
/// prints the process-wide state a library could have changed.
/// </summary>
public static class RuntimeProbe
{
    /// <param name="args"><c>ablate …</c> for the ablation verb over this assembly's networks (see Ablation/AblateEndToEndTests); <c>configure</c> to call <see cref="UnetrRuntime.Configure"/> first, <c>plain</c> not to.</param>
    public static int Main(string[] args)
    {
        // The ablation tests' host: `ablate` over this assembly's tiny networks, its jobs re-invoking this assembly.
        if (args is ["ablate", ..])
        {
            UnetrRuntime.Configure();
            return Unetr.CommandLine.UnetrCommandLine.Run(args, typeof(RuntimeProbe).Assembly);
        }

        if (args is not ["configure" or "plain"])
        {
            Console.Error.WriteLine("usage: Unetr.Tests.dll configure|plain");
            return 2;
        }

        if (args[0] == "configure")
        {
            UnetrRuntime.Configure();
        }

        var options = new TrainingOptions { Steps = 2, BatchSize = 1, WarmupSteps = 1, ValidateEvery = 2 };
        using (var trainer = new Trainer(() => new TinyMonaiUnetr(), TinyMonaiUnetr.InputShape, SyntheticDataset.Training(2, 32), options))
        {
            trainer.Run(SyntheticDataset.Validation(1, 32));
            trainer.Model.eval();
            using var scope = NewDisposeScope();
            new SlidingWindowInferer(new long[] { 32, 32, 32 }, batchSize: 2).Run(randn(new long[] { 1, 1, 40, 40, 40 }), trainer.Model.call);
        }

        Console.WriteLine($"native OMP_WAIT_POLICY: {NativeVariable("OMP_WAIT_POLICY") ?? "unset"}");
        foreach (var variable in NativeHeap.EnvironmentVariables)
        {
            Console.WriteLine($"{variable}: {Environment.GetEnvironmentVariable(variable) ?? "unset"}");
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"release every: {UnetrRuntime.ReleaseFreedNativeMemoryEvery}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"second fill: {HeapReuseCheck.SecondFillFaults()} page faults, {HeapReuseCheck.Size / Environment.SystemPageSize} pages"));
        return 0;
    }

    private static string? NativeVariable(string name) => Marshal.PtrToStringUTF8(GetEnvironment(name));

    [DllImport("libc", EntryPoint = "getenv")]
    private static extern IntPtr GetEnvironment([MarshalAs(UnmanagedType.LPUTF8Str)] string name);
}
