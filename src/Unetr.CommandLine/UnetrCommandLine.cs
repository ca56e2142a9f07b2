using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Diagnostics;
using System.Linq;
using System.Reflection;
using TorchSharp;
using Unetr.Model.Data;
using Unetr.Model.Presets;
using static TorchSharp.torch;

namespace Unetr.CommandLine;

/// <summary>
/// The <c>unetr</c> verbs (<c>summary</c>, <c>demo</c>, <c>train</c>, <c>infer</c>, <c>evaluate</c>, <c>convert</c>, <c>export</c>,
/// <c>ablate</c>) as a
/// library: a console program that declares networks becomes the tool for them, and for the presets, with one call,
/// <c>return UnetrCommandLine.Run(args, typeof(Program).Assembly);</c>.
/// </summary>
/// <remarks>
/// <para>
/// The generator lists each assembly's valid declarations at build time and marks the assembly with a
/// <see cref="NetworkCatalogAttribute"/>; <see cref="Run(string[], Assembly[])"/> reads that attribute, so nothing scans
/// types. <c>--model</c> takes a class name (case-insensitive); a declared network shadows a preset of the same name.
/// </para>
/// <para>
/// The verbs change no process-wide state; the host program makes its runtime settings (OpenMP wait policy, C heap)
/// before calling <c>Run</c>, as the <c>unetr</c> tool does.
/// </para>
/// </remarks>
public static class UnetrCommandLine
{
    /// <summary>Parses <paramref name="args"/>, runs the chosen verb over the networks declared in <paramref name="assemblies"/> and the presets, and returns its exit code.</summary>
    /// <param name="args">The command line, verb first (e.g. <c>train --model MyUnetr --steps 100</c>).</param>
    /// <param name="assemblies">Assemblies built with the Unetr generator, e.g. <c>typeof(Program).Assembly</c>; none for the presets alone.</param>
    /// <returns>
    /// 0 on success; 1 when the command line does not parse or an option is out of range (the error and the usage are
    /// printed); 2 when the verb refuses its model, inputs, weights or data (the message goes to standard error).
    /// </returns>
    public static int Run(string[] args, params Assembly[] assemblies) =>
        Run(args, assemblies.SelectMany(NetworkCatalogAttribute.In).ToArray());

    /// <summary>Parses <paramref name="args"/>, runs the chosen verb over <paramref name="networks"/> and the presets, and returns its exit code.</summary>
    /// <param name="args">The command line, verb first.</param>
    /// <param name="networks">Networks to offer besides the presets, e.g. a generated <c>DeclaredNetworks.All</c>.</param>
    /// <returns>The exit code, as <see cref="Run(string[], Assembly[])"/> returns it.</returns>
    public static int Run(string[] args, IReadOnlyList<Preset> networks)
    {
        var models = new ModelCatalog(networks);
        var model = new Argument<string>("model") { Description = "Network name: " + models.Names };
        var summary = new Command("summary", "Print a network's compile-time table: layers, shapes, parameters, MACs.") { model };
        summary.SetAction(result => Summarize(models, result.GetValue(model)!));

        var seed = new Option<int>("--seed") { Description = "Seed of the embedded synthetic volume.", DefaultValueFactory = _ => 1 };
        var demo = new Command("demo", "Print every network's build-time facts, then segment an embedded synthetic volume with the tiny preset.") { seed };
        demo.SetAction(result => Demo(models, result.GetValue(seed)));

        var root = new RootCommand("UNETR networks declared with attributes, verified at build time.")
        {
            summary, demo, TrainCommand.Create(models), InferCommand.Create(models), EvaluateCommand.Create(models), ConvertCommand.Create(models), ExportCommand.Create(models),
            Ablation.AblateCommand.Create(models, Ablation.AblateCommand.CurrentHost()),
        };
        return root.Parse(args).Invoke();
    }

    private static int Summarize(ModelCatalog models, string name)
    {
        Preset preset;
        try
        {
            preset = models.Find(name);
        }
        catch (ArgumentException error)
        {
            Console.Error.WriteLine(error.Message);
            return 2;
        }

        if (preset.Sweep is { } sweep)
        {
            Console.WriteLine($"Sweep variant of {sweep.Baseline}: {sweep.Label}");
        }

        Console.WriteLine(preset.Summary);
        return 0;
    }

    private static int Demo(ModelCatalog models, int seed)
    {
        Console.WriteLine("Build-time facts of the networks:");
        foreach (var preset in models.All)
        {
            var s = preset.Summary;
            Console.WriteLine($"  {s.Network,-16} input [B, {string.Join(", ", s.InputShape)}]  params {s.Parameters,13:N0}  MACs {s.MultiplyAccumulates,19:N0}  (torchinfo {s.TorchinfoMultiplyAccumulates:N0}){(preset.Sweep is { } sweep ? $"  sweep of {sweep.Baseline}: {sweep.Label}" : string.Empty)}");
        }

        Console.WriteLine();
        Console.WriteLine(TinyMonaiUnetr.Summary);

        using var net = new TinyMonaiUnetr();
        net.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (image, label) = SyntheticVolume.Create(seed, (int)TinyMonaiUnetr.InputShape[1]);
        var batch = image.unsqueeze(0);
        net.call(batch);
        var clock = Stopwatch.StartNew();
        var logits = net.call(batch);
        clock.Stop();
        var predicted = logits.argmax(1).squeeze(0);
        Console.WriteLine($"Synthetic volume (seed {seed}): input [{string.Join(", ", batch.shape)}], labels per class {Counts(label)}");
        Console.WriteLine($"Forward in {clock.Elapsed.TotalMilliseconds:F1} ms → logits [{string.Join(", ", logits.shape)}], predicted voxels per class {Counts(predicted)} (untrained weights)");
        return 0;
    }

    private static string Counts(Tensor labels) =>
        "[" + string.Join(", ", Enumerable.Range(0, (int)TinyMonaiUnetr.OutputShape[0]).Select(c => labels.eq(c).sum().item<long>())) + "]";
}
