using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using TorchSharp;
using Unetr.Model.Blocks;
using Unetr.Model.Runtime;
using static TorchSharp.torch;

namespace Unetr.Measurement.Speed;

/// <summary>
/// The <c>winograd</c> verb: every stride-1 3×3×3 convolution shape of the seed decoder (<c>SeedUnetr64</c>) timed through
/// <see cref="OneDnnConv3d"/>'s direct route and through Winograd F(2³, 3³) (<see cref="Winograd3d"/>), in alternating
/// rounds on the same module and input, in evaluation mode under <c>inference_mode</c>, with the largest difference
/// between the two outputs.
/// </summary>
public static class WinogradReport
{
    /// <summary>The seed decoder's 3×3×3 convolutions at 64³: input and output channels, edge, and the blocks that have that shape.</summary>
    public static IReadOnlyList<ConvolutionShape> SeedShapes { get; } = new ConvolutionShape[]
    {
        new(4, 32, 64, "decoder0.0"),
        new(32, 64, 64, "decoder0.1"),
        new(64, 64, 64, "decoder0_header.1"),
        new(128, 64, 64, "decoder0_header.0"),
        new(128, 128, 32, "decoder3.2", "decoder3_upsampler.1"),
        new(256, 128, 32, "decoder3_upsampler.0"),
        new(256, 256, 16, "decoder3.1", "decoder6.1", "decoder6_upsampler.1"),
        new(512, 256, 16, "decoder6_upsampler.0"),
        new(512, 512, 8, "decoder3.0", "decoder6.0", "decoder9", "decoder9_upsampler.1"),
        new(1024, 512, 8, "decoder9_upsampler.0"),
    };

    /// <summary>
    /// Runs the verb. Options: <c>--rounds N</c> (paired rounds per shape, default 6), <c>--shapes a,b</c> (names as
    /// printed, e.g. <c>64-64@64</c>; default all), <c>--slab-values N</c> (<see cref="CpuRoutingPolicy.WinogradSlabValues"/>).
    /// </summary>
    /// <returns>0, or 2 for a bad option.</returns>
    public static int Run(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        int rounds;
        long slabValues;
        string[] chosen;
        try
        {
            rounds = int.Parse(CommandArguments.Option(args, "--rounds") ?? "6", CultureInfo.InvariantCulture);
            slabValues = long.Parse(CommandArguments.Option(args, "--slab-values") ?? CpuRoutingPolicy.Default.WinogradSlabValues.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            chosen = CommandArguments.Choices(args, "--shapes", SeedShapes.Select(s => s.Name).ToArray());
        }
        catch (Exception error) when (error is ArgumentException or FormatException or OverflowException)
        {
            Console.Error.WriteLine($"winograd: {error.Message} (options: --rounds N ≥ 1, --slab-values N ≥ 1, --shapes comma list)");
            return 2;
        }

        if (rounds < 1 || slabValues < 1)
        {
            Console.Error.WriteLine($"winograd: --rounds and --slab-values must be at least 1; got {rounds} and {slabValues}.");
            return 2;
        }

        BenchSettings.Apply();
        var cpu = CpuDescription.Current();
        Console.WriteLine($"Winograd F(2³, 3³) against the direct route (OneDnnConv3d): TorchSharp {typeof(torch).Assembly.GetName().Version}, {get_num_threads()} threads, batch 1, {rounds} paired rounds per shape, eval + inference_mode, slab {slabValues} transformed values");
        Console.WriteLine($"CPU: {cpu.Summary}");
        Console.WriteLine($"load average at start: {SpeedReport.LoadAverage()}");

        var direct = CpuRoutingPolicy.Default with { WinogradMinimumChannels = null };
        var winograd = CpuRoutingPolicy.Default with
        {
            WinogradMinimumChannels = 1, WinogradMaximumChannels = long.MaxValue, WinogradMaximumVoxels = long.MaxValue, WinogradSlabValues = slabValues,
        };
        var rows = new List<string[]> { new[] { "shape", "seed blocks", "direct ms", "Winograd ms", "direct / Winograd", "middle half", "max |diff|", "max |direct|", "default route" } };
        double directTotal = 0, winogradTotal = 0, routedTotal = 0;
        foreach (var shape in SeedShapes.Where(s => chosen.Contains(s.Name)))
        {
            using var scope = NewDisposeScope();
            using var convolution = new OneDnnConv3d(shape.InChannels, shape.OutChannels, 3, 1, hasBias: true);
            convolution.eval();
            var input = randn(new[] { 1, shape.InChannels, shape.Edge, shape.Edge, shape.Edge });
            using var mode = inference_mode();
            Tensor Forward(CpuRoutingPolicy policy)
            {
                using var routing = CpuRoutingPolicy.Use(policy);
                return convolution.call(input);
            }

            var expected = Forward(direct);
            var actual = Forward(winograd);
            var maxDiff = (actual - expected).abs().max().item<float>();
            var maxValue = expected.abs().max().item<float>();
            var timing = Timing.Paired(() => Forward(direct).Dispose(), () => Forward(winograd).Dispose(), rounds);
            var routed = CpuRoutingPolicy.Default.ConvolutionUsesWinograd(input.shape, shape.OutChannels, 3, 1, onCpu: true);
            directTotal += timing.FirstMedian * shape.Blocks.Length;
            winogradTotal += timing.SecondMedian * shape.Blocks.Length;
            routedTotal += (routed ? timing.SecondMedian : timing.FirstMedian) * shape.Blocks.Length;
            rows.Add(new[]
            {
                shape.Name, string.Join(" ", shape.Blocks), Ms(timing.FirstMedian), Ms(timing.SecondMedian),
                string.Create(CultureInfo.InvariantCulture, $"{timing.Ratio:F2}×"),
                string.Create(CultureInfo.InvariantCulture, $"{timing.Low:F2}–{timing.High:F2}"),
                maxDiff.ToString("E1", CultureInfo.InvariantCulture), maxValue.ToString("F2", CultureInfo.InvariantCulture),
                routed ? "Winograd" : "direct",
            });
        }

        SpeedReport.PrintTable(rows);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"sum over the seed blocks of the shapes run (medians × blocks): all direct {Ms(directTotal)} ms, all Winograd {Ms(winogradTotal)} ms, as the default policy routes them {Ms(routedTotal)} ms"));
        Console.WriteLine($"load average at end: {SpeedReport.LoadAverage()}");
        return 0;
    }

    private static string Ms(double seconds) => (seconds * 1000).ToString("F1", CultureInfo.InvariantCulture);
}

/// <summary>A stride-1 3×3×3 convolution of a cubic batch-1 input, and the seed blocks that have it.</summary>
public sealed record ConvolutionShape(long InChannels, long OutChannels, long Edge, params string[] Blocks)
{
    /// <summary><c>in-out@edge</c>, as the verb prints it and <c>--shapes</c> takes it.</summary>
    public string Name => string.Create(CultureInfo.InvariantCulture, $"{InChannels}-{OutChannels}@{Edge}");
}
