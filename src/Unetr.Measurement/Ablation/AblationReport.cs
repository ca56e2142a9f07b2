using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Unetr.Model.Compiled;

namespace Unetr.Measurement.Ablation;

/// <summary>Where and how a run took place, for the report's header.</summary>
/// <param name="Command">The command line that produced the report.</param>
/// <param name="Date">When the run started.</param>
/// <param name="Machine">Operating system and processor.</param>
/// <param name="TorchSharp">TorchSharp's version.</param>
/// <param name="LoadAverage">The 1-minute load average at the start and at the end (the machine may be shared).</param>
/// <param name="WallTime">Wall time of the whole run.</param>
/// <param name="Settings">The measurement settings.</param>
public sealed record AblationRunInfo(
    string Command,
    DateTimeOffset Date,
    string Machine,
    string TorchSharp,
    string LoadAverage,
    TimeSpan WallTime,
    AblationSettings Settings);

/// <summary>The ablation results as CSV and as a Markdown report, with the variants on each Pareto front.</summary>
public static class AblationReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Indices of the rows on the Pareto front of Dice against MACs, cheapest first.</summary>
    public static IReadOnlyList<int> FrontByMacs(IReadOnlyList<AblationRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return ParetoFront.Indices(rows.Select(r => new CostQuality(r.MultiplyAccumulates, r.Dice)).ToArray());
    }

    /// <summary>Indices of the rows on the Pareto front of Dice against forward latency, fastest first.</summary>
    public static IReadOnlyList<int> FrontByLatency(IReadOnlyList<AblationRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return ParetoFront.Indices(rows.Select(r => new CostQuality(r.ForwardSeconds, r.Dice)).ToArray());
    }

    /// <summary>One line per variant after a header; invariant culture, fields with commas or quotes quoted (RFC 4180).</summary>
    public static string Csv(IReadOnlyList<AblationRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var byMacs = FrontByMacs(rows);
        var byLatency = FrontByLatency(rows);
        var text = new StringBuilder();
        text.Append("variant,factor,change,parameters,macs,forward_ms,train_step_ms,peak_memory_mib,dice,class_dice,final_loss,training_s,pareto_macs,pareto_latency\n");
        for (var i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            var fields = new[]
            {
                r.Name,
                r.Factor.ToString(),
                r.Change,
                r.Parameters.ToString(Invariant),
                r.MultiplyAccumulates.ToString(Invariant),
                (r.ForwardSeconds * 1e3).ToString("F3", Invariant),
                (r.TrainStepSeconds * 1e3).ToString("F3", Invariant),
                r.PeakMemoryBytes is { } bytes ? (bytes / 1048576.0).ToString("F1", Invariant) : string.Empty,
                r.Dice.ToString("F4", Invariant),
                string.Join(";", r.ClassDice.Select(d => d.ToString("F4", Invariant))),
                r.FinalLoss.ToString("F4", Invariant),
                r.TrainingSeconds.ToString("F1", Invariant),
                byMacs.Contains(i) ? "true" : "false",
                byLatency.Contains(i) ? "true" : "false",
            };
            text.Append(string.Join(",", fields.Select(Quote))).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The report: how it was run, the table, the Pareto fronts and what the columns mean.</summary>
    public static string Markdown(IReadOnlyList<AblationRow> rows, AblationRunInfo info)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(info);
        var byMacs = FrontByMacs(rows);
        var byLatency = FrontByLatency(rows);
        var text = new StringBuilder();
        text.Append("# UNETR ablation\n\n");
        text.Append(string.Create(Invariant, $"`{info.Command}`, started {info.Date.UtcDateTime:yyyy-MM-dd HH:mm} UTC, wall time {info.WallTime:hh\\:mm\\:ss}.\n\n"));
        text.Append("| setting | value |\n|---|---|\n");
        text.Append($"| machine | {info.Machine} |\n");
        text.Append($"| TorchSharp | {info.TorchSharp} |\n");
        text.Append($"| load average (1 min, start → end) | {info.LoadAverage} |\n");
        foreach (var (name, value) in info.Settings.Describe())
        {
            text.Append($"| {name} | {value} |\n");
        }

        text.Append("\n## Results\n\n");
        text.Append(Table(rows, byMacs, byLatency));
        text.Append('\n');
        text.Append($"Pareto front, Dice against MACs (cheapest first): {Names(rows, byMacs)}.\n\n");
        text.Append($"Pareto front, Dice against forward latency (fastest first): {Names(rows, byLatency)}.\n\n");
        text.Append("## What the columns mean\n\n");
        text.Append("- params, GMAC: compile-time figures from the generated `Summary`; MACs by the per-voxel convention (")
            .Append(ModelSummary.MacConvention).Append(").\n");
        text.Append("- forward, train step: median wall time for one sample; the train step is forward, cross-entropy, backward and AdamW.\n");
        text.Append("- peak memory: ").Append(PeakMemory.Method).Append(".\n");
        text.Append("- Dice: mean foreground Dice of the final weights on the held-out volumes named under data, after the fixed budget, "
            + "from one seed: how much another seed would move it was not measured, so small differences between variants are not established.\n");
        text.Append("- Pareto: on the front of Dice against MACs and/or against forward latency (no other variant is at least as good in both and better in one).\n");
        return text.ToString();
    }

    /// <summary>The results table alone (Markdown), as printed at the end of a run.</summary>
    public static string Table(IReadOnlyList<AblationRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return Table(rows, FrontByMacs(rows), FrontByLatency(rows));
    }

    /// <summary>Bytes in MiB with one decimal, or "n/a".</summary>
    public static string Mebibytes(long? bytes) =>
        bytes is { } value ? string.Create(Invariant, $"{value / 1048576.0:F1} MiB") : "n/a";

    private static string Table(IReadOnlyList<AblationRow> rows, IReadOnlyList<int> byMacs, IReadOnlyList<int> byLatency)
    {
        var text = new StringBuilder();
        text.Append("| variant | change | params (M) | GMAC | forward ms | train step ms | peak memory | Dice | Pareto |\n");
        text.Append("|---|---|--:|--:|--:|--:|--:|--:|---|\n");
        for (var i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            var front = string.Join(", ", new[] { byMacs.Contains(i) ? "MACs" : null, byLatency.Contains(i) ? "latency" : null }.OfType<string>());
            text.Append(string.Create(Invariant,
                $"| {r.Name} | {r.Change} | {r.Parameters / 1e6:F2} | {r.MultiplyAccumulates / 1e9:F2} | {r.ForwardSeconds * 1e3:F1} | {r.TrainStepSeconds * 1e3:F1} | {Mebibytes(r.PeakMemoryBytes)} | {r.Dice:F4} | {front} |\n"));
        }

        return text.ToString();
    }

    private static string Names(IReadOnlyList<AblationRow> rows, IReadOnlyList<int> front) =>
        string.Join(" → ", front.Select(i => rows[i].Name));

    private static string Quote(string field) =>
        field.IndexOfAny(new[] { ',', '"', '\n', '\r' }) < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
