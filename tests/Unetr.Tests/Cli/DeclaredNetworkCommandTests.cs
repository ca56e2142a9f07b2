using System;
using System.Linq;
using Unetr.Model.Presets;
using Unetr.Tests.Runtime.Variants;
using Unetr.Tests.Training;
using Xunit;

namespace Unetr.Tests.Cli;

/// <summary>
/// A host's own networks on the command line: found from its assembly, listed when a name is unknown, shadowing a preset
/// of the same name, and refused by name when two of them share one.
/// </summary>
[Collection(TrainingCollection.Name)]
public sealed class DeclaredNetworkCommandTests
{
    [Fact]
    public void Summary_finds_a_network_declared_in_the_given_assembly()
    {
        var output = new System.IO.StringWriter();
        var previous = Console.Out;
        Console.SetOut(output);
        int exitCode;
        try
        {
            exitCode = Unetr.CommandLine.UnetrCommandLine.Run(new[] { "summary", "seed2d" }, typeof(Seed2D).Assembly);
        }
        finally
        {
            Console.SetOut(previous);
        }

        Assert.Equal(0, exitCode);
        Assert.Equal(Seed2D.Summary + Environment.NewLine, output.ToString());
    }

    [Fact]
    public void Summary_of_a_sweep_variant_names_its_baseline_and_the_settings_it_changes()
    {
        var catalog = System.Reflection.CustomAttributeExtensions.GetCustomAttribute<NetworkCatalogAttribute>(typeof(Unetr.Measurement.Ablation.AblationBaseline).Assembly)!.Networks;

        var variant = CliRun.With(catalog, "summary", "PatchSize8");
        var baseline = CliRun.With(catalog, "summary", "AblationBaseline");

        Assert.True(variant.ExitCode == 0, variant.ToString());
        Assert.Equal(
            "Sweep variant of AblationBaseline: PatchSize=8, Widths=[8, 16, 32]" + Environment.NewLine + Unetr.Measurement.Ablation.AblationBaseline.PatchSize8.Summary + Environment.NewLine,
            variant.Output);
        Assert.Equal(Unetr.Measurement.Ablation.AblationBaseline.Summary + Environment.NewLine, baseline.Output);
    }

    [Fact]
    public void An_unknown_model_lists_the_declared_networks_then_the_presets()
    {
        var run = CliRun.With(new[] { Preset.Of<TrainableTinyNet>(), Preset.Of<Seed2D>() }, "summary", "NoSuchNet");

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.Equal("Unknown model 'NoSuchNet'; expected one of: TrainableTinyNet, Seed2D, SeedUnetr, MonaiBtcvUnetr, TinyMonaiUnetr.", run.Error.Trim());
    }

    [Fact]
    public void A_declared_network_shadows_the_preset_of_its_name()
    {
        var mine = Preset.Of<Seed2D>() with { Name = "TinyMonaiUnetr" };

        var summary = CliRun.With(new[] { mine }, "summary", "TinyMonaiUnetr");
        var unknown = CliRun.With(new[] { mine }, "summary", "NoSuchNet");

        Assert.True(summary.ExitCode == 0, summary.ToString());
        Assert.Equal(Seed2D.Summary + Environment.NewLine, summary.Output);
        Assert.Equal("Unknown model 'NoSuchNet'; expected one of: TinyMonaiUnetr, SeedUnetr, MonaiBtcvUnetr.", unknown.Error.Trim());
    }

    [Fact]
    public void Two_declared_networks_of_one_name_are_refused_naming_both()
    {
        var first = Preset.Of<Seed2D>();
        var second = Preset.Of<SeedPatch32>() with { Name = "Seed2D" };

        var run = CliRun.With(new[] { first, second }, "train", "--model", "seed2d", "--steps", "2", "--warmup", "0");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(
            "'seed2d' names 2 declared networks: Unetr.Tests.Runtime.Variants.Seed2D, Unetr.Tests.Runtime.Variants.SeedPatch32; --model finds a network by its class name, so rename all but one.",
            run.Error.Trim());
    }

    [Fact]
    public void Convert_and_evaluate_resolve_a_declared_network_too()
    {
        var declared = new[] { Preset.Of<TrainableTinyNet>() };

        var convert = CliRun.With(declared, "convert", "--model", "trainabletinynet", "--weights", "no-such.pt", "--output", "out.pt");
        var evaluate = CliRun.With(declared, "evaluate", "--model", "NoSuchNet", "--weights", "no-such.pt");

        // convert got past --model to the weights: the network was found.
        Assert.Equal(2, convert.ExitCode);
        Assert.StartsWith("No weights at ", convert.Error, StringComparison.Ordinal);
        Assert.Equal(2, evaluate.ExitCode);
        Assert.Equal("Unknown model 'NoSuchNet'; expected one of: TrainableTinyNet, SeedUnetr, MonaiBtcvUnetr, TinyMonaiUnetr.", evaluate.Error.Trim());
    }
}
