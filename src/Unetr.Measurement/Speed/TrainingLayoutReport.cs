using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using TorchSharp;
using Unetr.Model.Blocks;
using Unetr.Model.Runtime;
using static TorchSharp.torch;

namespace Unetr.Measurement.Speed;

/// <summary>
/// The <c>training-layouts</c> verb: which memory layout trains each convolution faster, and what a limit of
/// <see cref="CpuRoutingPolicy.ChannelsLastTrainingMaximumChannels"/> gains on whole train steps.
/// <list type="number">
/// <item>Every 3×3×3 convolution shape of a network (found by a training forward), timed forward + backward in train
/// mode through <see cref="OneDnnConv3d"/> with a channels-last weight and input, and with a row-major weight and
/// input, in alternating rounds on the same values.</item>
/// <item>The network's train step (<see cref="TrainStepWorkload"/>) with every layer channels-last (the default: the limit
/// at <see cref="long.MaxValue"/>) and with layers of at most 32 channels channels-last, wider ones row-major, in
/// alternating rounds.</item>
/// </list>
/// </summary>
public static class TrainingLayoutReport
{
    /// <summary>The mixed rule the verb measures: layers of at most 32 channels channels-last, wider ones row-major.</summary>
    public static CpuRoutingPolicy Mixed { get; } = CpuRoutingPolicy.Default with { ChannelsLastTrainingMaximumChannels = 32 };

    private static readonly Dictionary<string, BenchNetwork> Networks = new()
    {
        ["seed"] = BenchNetwork.SeedFull,
        ["narrowed"] = BenchNetwork.Seed,
        ["monai"] = BenchNetwork.Monai,
    };

    /// <summary>
    /// Runs the verb. Options: <c>--networks a,b</c> (some of <c>seed</c>, <c>narrowed</c>, <c>monai</c>; default all),
    /// <c>--batches 1,2</c> (default both), <c>--rounds N</c> (paired rounds, default 4), <c>--no-shapes</c> (only the
    /// train steps).
    /// </summary>
    /// <returns>0, or 2 for a bad option.</returns>
    public static int Run(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        int rounds;
        long[] batches;
        string[] chosen;
        try
        {
            rounds = int.Parse(CommandArguments.Option(args, "--rounds") ?? "4", CultureInfo.InvariantCulture);
            batches = (CommandArguments.Option(args, "--batches") ?? "1,2").Split(',').Select(b => long.Parse(b, NumberStyles.None, CultureInfo.InvariantCulture)).ToArray();
            chosen = CommandArguments.Choices(args, "--networks", Networks.Keys.ToArray());
        }
        catch (Exception error) when (error is ArgumentException or FormatException or OverflowException)
        {
            Console.Error.WriteLine($"training-layouts: {error.Message} (options: --networks seed,narrowed,monai; --batches 1,2; --rounds N ≥ 1; --no-shapes)");
            return 2;
        }

        if (rounds < 1 || batches.Any(b => b < 1))
        {
            Console.Error.WriteLine($"training-layouts: --rounds and every batch must be at least 1; got {rounds} and {string.Join(",", batches)}.");
            return 2;
        }

        BenchSettings.Apply();
        var cpu = CpuDescription.Current();
        Console.WriteLine($"Training layouts: TorchSharp {typeof(torch).Assembly.GetName().Version}, {get_num_threads()} threads, {rounds} paired rounds (median, middle half of the per-round ratios); mixed rule: channels-last up to {Mixed.ChannelsLastTrainingMaximumChannels} channels, row-major above");
        Console.WriteLine($"CPU: {cpu.Summary}");
        Console.WriteLine($"load average at start: {SpeedReport.LoadAverage()}");
        foreach (var key in chosen)
        {
            var network = Networks[key];
            if (!args.Contains("--no-shapes"))
            {
                Console.WriteLine();
                Console.WriteLine($"{network.Name}: 3×3×3 convolutions, forward + backward in train mode, ms");
                var rows = new List<string[]> { new[] { "shape (in-out@edge)", "batch", "channels-last", "row-major", "channels-last / row-major", "middle half", "mixed rule" } };
                foreach (var shape in ShapesOf(network))
                {
                    foreach (var batch in batches)
                    {
                        var timing = CompareLayouts(shape, batch, rounds);
                        rows.Add(new[]
                        {
                            shape.Name, batch.ToString(CultureInfo.InvariantCulture), Ms(timing.FirstMedian), Ms(timing.SecondMedian),
                            F3(timing.Ratio) + "×", $"{F3(timing.Low)}–{F3(timing.High)}",
                            Mixed.TrainsChannelsLast(shape.InChannels, shape.OutChannels) ? "channels-last" : "row-major",
                        });
                    }
                }

                SpeedReport.PrintTable(rows);
            }

            foreach (var batch in batches)
            {
                var timing = CompareTrainSteps(network, batch, rounds);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{network.Name} train step, batch {batch}: default layouts {timing.FirstMedian:F3} s, mixed rule {timing.SecondMedian:F3} s: {timing.Ratio:F3}× (middle half {timing.Low:F3}–{timing.High:F3}{(timing.IsParityWithinNoise ? ", within noise" : "")})"));
            }
        }

        Console.WriteLine($"load average at end: {SpeedReport.LoadAverage()}");
        return 0;
    }

    // The distinct 3×3×3 convolution shapes one training forward of the network runs, in order of first use.
    private static IReadOnlyList<ConvolutionShape> ShapesOf(BenchNetwork network)
    {
        var shapes = new List<ConvolutionShape>();
        using var module = network.Create();
        module.train();
        foreach (var convolution in module.modules().OfType<OneDnnConv3d>().Where(c => c.parameters().First().shape[2] == 3))
        {
            convolution.register_forward_pre_hook((_, input) =>
            {
                var shape = new ConvolutionShape(convolution.InChannels, convolution.OutChannels, input.shape[2]);
                if (!shapes.Any(s => s.Name == shape.Name))
                {
                    shapes.Add(shape);
                }

                return input;
            });
        }

        using var scope = NewDisposeScope();
        using var input = randn(network.BatchShape(1));
        module.call(input);
        return shapes;
    }

    // Forward + backward of one convolution, channels-last (first) against row-major (second).
    private static PairedTiming CompareLayouts(ConvolutionShape shape, long batch, int rounds)
    {
        using var channelsLast = new OneDnnConv3d(shape.InChannels, shape.OutChannels, 3, 1, hasBias: true);
        using var rowMajor = new OneDnnConv3d(shape.InChannels, shape.OutChannels, 3, 1, hasBias: true);
        rowMajor.load_state_dict(channelsLast.state_dict());
        ChannelsLast.Convert(channelsLast);
        channelsLast.train();
        rowMajor.train();
        var edge = shape.Edge;
        using var values = randn(new[] { batch, shape.InChannels, edge, edge, edge });
        using var lastInput = ChannelsLast.Of(values).detach().requires_grad_(true);
        using var rowInput = values.detach().requires_grad_(true);
        return Timing.PairedTimed(() => Step(channelsLast, lastInput), () => Step(rowMajor, rowInput), rounds);
    }

    private static double Step(OneDnnConv3d convolution, Tensor input)
    {
        using var scope = NewDisposeScope();
        var clock = Stopwatch.StartNew();
        var output = convolution.call(input);
        output.backward(new[] { ones_like(output) });
        var seconds = clock.Elapsed.TotalSeconds;
        input.grad = null;
        foreach (var parameter in convolution.parameters())
        {
            parameter.grad = null;
        }

        return seconds;
    }

    // Train steps with every layer channels-last (the default) and under the mixed rule.
    private static PairedTiming CompareTrainSteps(BenchNetwork network, long batch, int rounds)
    {
        var before = CpuRoutingPolicy.Default with { ChannelsLastTrainingMaximumChannels = long.MaxValue };
        TrainStepWorkload Workload(CpuRoutingPolicy policy)
        {
            using var scope = CpuRoutingPolicy.Use(policy);
            manual_seed(BenchSettings.Seed);
            return new TrainStepWorkload(network.Create(), network, batch);
        }

        using var first = Workload(before);
        using var second = Workload(Mixed);
        return Timing.PairedTimed(() => Timing.Seconds(() => first.Run()), () => Timing.Seconds(() => second.Run()), rounds);
    }

    private static string Ms(double seconds) => (1000 * seconds).ToString("F1", CultureInfo.InvariantCulture);

    private static string F3(double value) => value.ToString("F3", CultureInfo.InvariantCulture);
}
