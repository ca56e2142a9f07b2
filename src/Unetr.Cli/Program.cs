using System;
using System.CommandLine;
using System.Diagnostics;
using System.Linq;
using TorchSharp;
using Unetr.Model.Data;
using Unetr.Model.Presets;
using Unetr.Model.Runtime;
using static TorchSharp.torch;

namespace Unetr.Cli;

/// <summary>The <c>unetr</c> command line.</summary>
public static class Program
{
    /// <summary>Parses <paramref name="args"/> and runs the chosen command.</summary>
    public static int Main(string[] args)
    {
        // Before anything loads libtorch: the OpenMP runtime reads its wait policy once, at load.
        UnetrRuntime.Configure();
        var model = new Argument<string>("model") { Description = "Preset name: " + string.Join(", ", PresetCatalog.All.Select(p => p.Name)) };
        var summary = new Command("summary", "Print a preset's compile-time table: layers, shapes, parameters, MACs.") { model };
        summary.SetAction(result => Summarize(result.GetValue(model)!));

        var seed = new Option<int>("--seed") { Description = "Seed of the embedded synthetic volume.", DefaultValueFactory = _ => 1 };
        var demo = new Command("demo", "Print every preset's build-time facts, then segment an embedded synthetic volume with the tiny preset.") { seed };
        demo.SetAction(result => Demo(result.GetValue(seed)));

        var root = new RootCommand("UNETR networks declared with attributes, verified at build time.") { summary, demo, TrainCommand.Create(), InferCommand.Create(), EvaluateCommand.Create(), ConvertCommand.Create() };
        return root.Parse(args).Invoke();
    }

    private static int Summarize(string name)
    {
        Preset preset;
        try
        {
            preset = PresetCatalog.Find(name);
        }
        catch (ArgumentException error)
        {
            Console.Error.WriteLine(error.Message);
            return 2;
        }

        Console.WriteLine(preset.Summary);
        return 0;
    }

    private static int Demo(int seed)
    {
        Console.WriteLine("Build-time facts of the presets:");
        foreach (var preset in PresetCatalog.All)
        {
            var s = preset.Summary;
            Console.WriteLine($"  {s.Network,-16} input [B, {string.Join(", ", s.InputShape)}]  params {s.Parameters,13:N0}  MACs {s.MultiplyAccumulates,19:N0}  (torchinfo {s.TorchinfoMultiplyAccumulates:N0})");
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
