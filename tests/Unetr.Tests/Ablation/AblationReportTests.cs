using System;
using Unetr.Measurement.Ablation;
using Xunit;

namespace Unetr.Tests.Ablation;

public sealed class AblationReportTests
{
    // By MACs, NetB is cheaper and better than both others: the front is NetB alone. By latency no row beats another
    // in both, so all three are on the front, fastest first: NetC, NetA, NetB.
    private static readonly AblationRow[] Rows =
    {
        new("NetA", AblationFactor.Baseline, "base, with comma", 1_500_000, 2_000_000_000, 0.0125, 0.25, 100L * 1024 * 1024, 0.75, new[] { 0.8, 0.7 }, 0.5, 12.34),
        new("NetB", AblationFactor.PatchSize, "patch 16 → 8", 3_000_000, 1_000_000_000, 0.020, 0.5, null, 0.8, new[] { 0.9, 0.7 }, 0.25, 20.0),
        new("NetC", AblationFactor.Depth, "say \"deep\"", 2_000_000, 3_000_000_000, 0.010, 0.2, 50L * 1024 * 1024, 0.5, new[] { 0.6, 0.4 }, 1.0, 5.0),
    };

    private static readonly AblationRunInfo Info = new(
        "dotnet run -- ablate --quick",
        new DateTimeOffset(2026, 5, 21, 12, 30, 0, TimeSpan.FromHours(2)),
        "Linux, Test CPU, 2 logical cores",
        "0.107.0.0",
        "1.50 → 2.25",
        TimeSpan.FromSeconds(205),
        AblationSettings.Quick with { Threads = 2 });

    [Fact]
    public void Csv_has_a_header_and_one_quoted_invariant_line_per_row()
    {
        const string expected =
            "variant,factor,change,parameters,macs,forward_ms,train_step_ms,peak_memory_mib,dice,class_dice,final_loss,training_s,pareto_macs,pareto_latency\n"
            + "NetA,Baseline,\"base, with comma\",1500000,2000000000,12.500,250.000,100.0,0.7500,0.8000;0.7000,0.5000,12.3,false,true\n"
            + "NetB,PatchSize,patch 16 → 8,3000000,1000000000,20.000,500.000,,0.8000,0.9000;0.7000,0.2500,20.0,true,true\n"
            + "NetC,Depth,\"say \"\"deep\"\"\",2000000,3000000000,10.000,200.000,50.0,0.5000,0.6000;0.4000,1.0000,5.0,false,true\n";

        Assert.Equal(expected, AblationReport.Csv(Rows));
    }

    [Fact]
    public void Markdown_table_lists_every_row_with_its_pareto_fronts()
    {
        const string expected =
            "| variant | change | params (M) | GMAC | forward ms | train step ms | peak memory | Dice | Pareto |\n"
            + "|---|---|--:|--:|--:|--:|--:|--:|---|\n"
            + "| NetA | base, with comma | 1.50 | 2.00 | 12.5 | 250.0 | 100.0 MiB | 0.7500 | latency |\n"
            + "| NetB | patch 16 → 8 | 3.00 | 1.00 | 20.0 | 500.0 | n/a | 0.8000 | MACs, latency |\n"
            + "| NetC | say \"deep\" | 2.00 | 3.00 | 10.0 | 200.0 | 50.0 MiB | 0.5000 | latency |\n";

        Assert.Equal(expected, AblationReport.Table(Rows));
        Assert.Contains(expected, AblationReport.Markdown(Rows, Info), StringComparison.Ordinal);
    }

    [Fact]
    public void Markdown_report_states_how_it_was_run_and_names_the_fronts()
    {
        var report = AblationReport.Markdown(Rows, Info);

        Assert.StartsWith("# UNETR ablation\n\n`dotnet run -- ablate --quick`, started 2026-05-21 10:30 UTC, wall time 00:03:25.\n", report, StringComparison.Ordinal);
        Assert.Contains("| machine | Linux, Test CPU, 2 logical cores |\n", report, StringComparison.Ordinal);
        Assert.Contains("| load average (1 min, start → end) | 1.50 → 2.25 |\n", report, StringComparison.Ordinal);
        Assert.Contains("| mode | quick |\n", report, StringComparison.Ordinal);
        Assert.Contains("| threads | 2 |\n", report, StringComparison.Ordinal);
        Assert.Contains($"| seed | {AblationSettings.Quick.Seed} |\n", report, StringComparison.Ordinal);
        Assert.Contains("Pareto front, Dice against MACs (cheapest first): NetB.\n", report, StringComparison.Ordinal);
        Assert.Contains("Pareto front, Dice against forward latency (fastest first): NetC → NetA → NetB.\n", report, StringComparison.Ordinal);
    }

    [Fact]
    public void Fronts_are_given_as_row_indices_cheapest_first()
    {
        Assert.Equal(new[] { 1 }, AblationReport.FrontByMacs(Rows));
        Assert.Equal(new[] { 2, 0, 1 }, AblationReport.FrontByLatency(Rows));
    }
}
