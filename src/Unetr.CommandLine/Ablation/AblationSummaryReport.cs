using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using ScottPlot;
using SkiaSharp;
using Unetr.Measurement.Ablation;
using Unetr.Model.Compiled;
using Unetr.Model.Training;

namespace Unetr.CommandLine.Ablation;

/// <summary><c>ablation.csv</c>, <c>ablation.md</c> and <c>ablation.png</c> of a merged ablation, with intervals and Pareto fronts.</summary>
public static class AblationSummaryReport
{
    /// <summary>The table, one row per variant.</summary>
    public const string CsvFile = "ablation.csv";

    /// <summary>The report.</summary>
    public const string MarkdownFile = "ablation.md";

    /// <summary>The two-panel chart.</summary>
    public const string PngFile = "ablation.png";

    private const int PanelWidth = 800;
    private const int PanelHeight = 600;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Writes the three files into <paramref name="directory"/>, each atomically; returns their full paths.</summary>
    public static IReadOnlyList<string> Write(string directory, AblationMerge merge, string machine)
    {
        ArgumentNullException.ThrowIfNull(merge);
        var csv = Path.GetFullPath(Path.Combine(directory, CsvFile));
        var markdown = Path.GetFullPath(Path.Combine(directory, MarkdownFile));
        var png = Path.GetFullPath(Path.Combine(directory, PngFile));
        var written = new List<string> { csv, markdown };
        WriteText(csv, Csv(merge));
        WriteText(markdown, Markdown(merge, machine));
        if (merge.Variants.Any(v => v.Dice is not null))
        {
            var chart = Png(merge);
            AtomicFile.Write(png, stream => stream.Write(chart));
            written.Add(png);
        }

        return written;
    }

    /// <summary>One line per variant after a header; invariant culture, empty fields for what is not measured yet.</summary>
    public static string Csv(AblationMerge merge)
    {
        ArgumentNullException.ThrowIfNull(merge);
        var byMacs = merge.FrontByMacs();
        var byLatency = merge.FrontByLatency();
        var text = new StringBuilder("variant,change,parameters,macs,seeds,dice_mean,dice_low,dice_high,diff_mean,diff_low,diff_high,resolved,forward_ms,train_step_ms,peak_memory_mib,rounds,pareto_macs,pareto_latency\n");
        for (var i = 0; i < merge.Variants.Count; i++)
        {
            var v = merge.Variants[i];
            var fields = new[]
            {
                v.Variant.Name, v.Variant.Change, v.Variant.Parameters.ToString(Invariant), v.Variant.MultiplyAccumulates.ToString(Invariant),
                v.DiceBySeed.Count.ToString(Invariant),
                Number(v.Dice?.Mean), Number(v.Dice?.Low), Number(v.Dice?.High),
                Number(v.Difference?.Mean), Number(v.Difference?.Low), Number(v.Difference?.High),
                v.Difference is { HasInterval: true } ? (v.Resolved ? "true" : "false") : string.Empty,
                Number(v.ForwardSeconds * 1e3, "F3"), Number(v.TrainStepSeconds * 1e3, "F3"), Number(v.PeakMemoryBytes / 1048576.0, "F1"),
                v.Rounds.ToString(Invariant),
                byMacs.Contains(i) ? "true" : "false", byLatency.Contains(i) ? "true" : "false",
            };
            text.Append(string.Join(",", fields.Select(Quote))).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The report: settings, unfinished jobs, the table with intervals, the Pareto fronts, what the columns mean.</summary>
    public static string Markdown(AblationMerge merge, string machine)
    {
        ArgumentNullException.ThrowIfNull(merge);
        var plan = merge.Plan;
        var byMacs = merge.FrontByMacs();
        var byLatency = merge.FrontByLatency();
        var text = new StringBuilder("# UNETR ablation\n\n");
        text.Append("| setting | value |\n|---|---|\n");
        text.Append($"| report written on | {machine} |\n");
        text.Append($"| baseline | {plan.Baseline} |\n");
        text.Append(string.Create(Invariant, $"| seeds | {string.Join(", ", plan.Seeds)} ({plan.Seeds.Count} per variant{(plan.Settings.IsQuick ? ", the quick run's count: intervals are wide" : string.Empty)}) |\n"));
        text.Append(string.Create(Invariant, $"| measurement | {plan.MeasureRounds} rounds, each variant timed in a process of its own per round, rounds in rotated order |\n"));
        text.Append(string.Create(Invariant, $"| libtorch threads per job | {plan.Threads} |\n"));
        foreach (var (name, value) in plan.Settings.Describe().Where(s => s.Name is not ("seed" or "threads")))
        {
            text.Append($"| {name} | {value} |\n");
        }

        text.Append(string.Create(Invariant, $"| jobs | {plan.Jobs.Count - merge.Missing.Count} of {plan.Jobs.Count} finished |\n"));
        if (merge.Missing.Count > 0)
        {
            text.Append(string.Create(Invariant, $"\n**Not finished ({merge.Missing.Count} jobs):** ")).Append(string.Join("; ", merge.Missing)).Append(".\n");
        }

        text.Append("\n## Results\n\n");
        text.Append(Table(merge, byMacs, byLatency));
        text.Append('\n');
        text.Append($"Pareto front, mean Dice against MACs (cheapest first): {Names(merge, byMacs)}.\n\n");
        text.Append($"Pareto front, mean Dice against forward latency (fastest first): {Names(merge, byLatency)}.\n\n");
        text.Append("## What the columns mean\n\n");
        text.Append("- params, GMAC: compile-time figures; MACs by the per-voxel convention (").Append(ModelSummary.MacConvention).Append(").\n");
        text.Append("- Dice: mean foreground Dice of the final weights on the held-out volumes, averaged over the seeds, ± the half-width of its 95 % Student t interval (n/a with one seed).\n");
        text.Append("- Δ vs baseline: mean of the per-seed differences to the baseline trained with the same seed, with its 95 % Student t interval; "
            + "resolved when the interval excludes 0 (the difference is larger than what the seeds alone move).\n");
        text.Append("- forward, train step: median over the measurement rounds of each process's median wall time for one sample; each measurement ran in a fresh process.\n");
        text.Append("- peak memory: median over the rounds of the ").Append(PeakMemory.Method).Append(".\n");
        return text.ToString();
    }

    /// <summary>The results table alone (Markdown).</summary>
    public static string Table(AblationMerge merge)
    {
        ArgumentNullException.ThrowIfNull(merge);
        return Table(merge, merge.FrontByMacs(), merge.FrontByLatency());
    }

    private static string Table(AblationMerge merge, IReadOnlyList<int> byMacs, IReadOnlyList<int> byLatency)
    {
        var text = new StringBuilder("| variant | change | params (M) | GMAC | seeds | Dice (95 % CI) | Δ vs baseline (95 % CI) | resolved | forward ms | train step ms | peak memory | Pareto |\n");
        text.Append("|---|---|--:|--:|--:|--:|--:|---|--:|--:|--:|---|\n");
        for (var i = 0; i < merge.Variants.Count; i++)
        {
            var v = merge.Variants[i];
            var front = string.Join(", ", new[] { byMacs.Contains(i) ? "MACs" : null, byLatency.Contains(i) ? "latency" : null }.OfType<string>());
            var dice = v.Dice is { } d ? (d.HasInterval ? string.Create(Invariant, $"{d.Mean:F4} ± {d.HalfWidth:F4}") : string.Create(Invariant, $"{d.Mean:F4} (n/a)")) : "—";
            var difference = v.Variant.Name == merge.Plan.Baseline ? "baseline"
                : v.Difference is { } x ? (x.HasInterval ? string.Create(Invariant, $"{x.Mean:+0.0000;-0.0000} [{x.Low:+0.0000;-0.0000}, {x.High:+0.0000;-0.0000}]") : string.Create(Invariant, $"{x.Mean:+0.0000;-0.0000} (n/a)"))
                : "—";
            var resolved = v.Difference is { HasInterval: true } ? (v.Resolved ? "yes" : "no") : "—";
            text.Append(string.Create(Invariant,
                $"| {v.Variant.Name} | {v.Variant.Change} | {v.Variant.Parameters / 1e6:F2} | {v.Variant.MultiplyAccumulates / 1e9:F2} | {v.DiceBySeed.Count} | {dice} | {difference} | {resolved} | {Number(v.ForwardSeconds * 1e3, "F1", "—")} | {Number(v.TrainStepSeconds * 1e3, "F1", "—")} | {(v.PeakMemoryBytes is { } b ? $"{b / 1048576.0:F1} MiB" : "—")} | {front} |\n"));
        }

        return text.ToString();
    }

    /// <summary>Mean Dice with its interval as error bars, against MACs and against forward latency; each panel's Pareto front drawn as a line.</summary>
    public static byte[] Png(AblationMerge merge)
    {
        ArgumentNullException.ThrowIfNull(merge);
        var macs = Panel(merge, v => v.Variant.MultiplyAccumulates / 1e9, merge.FrontByMacs(), "Dice against compile-time cost", "GMAC per sample (per-voxel convention)");
        var latency = Panel(merge, v => v.ForwardSeconds * 1e3, merge.FrontByLatency(), "Dice against forward latency", "forward ms per sample (median over rounds)");

        // Each panel is rendered to its own image and then drawn onto the canvas: rendering two plots into rectangles of
        // one canvas lets the second clear the first.
        using var surface = SKSurface.Create(new SKImageInfo(2 * PanelWidth, PanelHeight))
            ?? throw new InvalidOperationException("SkiaSharp could not create a drawing surface.");
        surface.Canvas.Clear(SKColors.White);
        foreach (var (panel, left) in new[] { (macs, 0), (latency, PanelWidth) })
        {
            using var image = SKImage.FromEncodedData(panel.GetImageBytes(PanelWidth, PanelHeight, ImageFormat.Png));
            surface.Canvas.DrawImage(image, left, 0);
        }

        using var snapshot = surface.Snapshot();
        using var png = snapshot.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    private static Plot Panel(AblationMerge merge, Func<AblationVariantSummary, double?> cost, IReadOnlyList<int> front, string title, string costLabel)
    {
        var plot = new Plot();
        var shown = Enumerable.Range(0, merge.Variants.Count).Where(i => merge.Variants[i].Dice is not null && cost(merge.Variants[i]) is not null).ToArray();
        var xs = shown.Select(i => cost(merge.Variants[i])!.Value).ToArray();
        var ys = shown.Select(i => merge.Variants[i].Dice!.Value.Mean).ToArray();
        var errors = shown.Select(i => merge.Variants[i].Dice!.Value is { HasInterval: true } d ? d.HalfWidth : 0).ToArray();
        if (shown.Length > 0)
        {
            var bars = plot.Add.ErrorBar(xs, ys, errors);
            bars.Color = Colors.Gray;
            var points = plot.Add.ScatterPoints(xs, ys, Colors.SteelBlue);
            points.MarkerSize = 9;
            points.LegendText = "variant (mean Dice, 95 % interval)";
        }

        if (front.Count > 0)
        {
            var line = plot.Add.Scatter(front.Select(i => cost(merge.Variants[i])!.Value).ToArray(), front.Select(i => merge.Variants[i].Dice!.Value.Mean).ToArray(), Colors.OrangeRed);
            line.MarkerSize = 11;
            line.LineWidth = 2;
            line.LegendText = "Pareto front";
        }

        for (var k = 0; k < shown.Length; k++)
        {
            var label = plot.Add.Text(merge.Variants[shown[k]].Variant.Name, xs[k], ys[k]);
            label.LabelFontSize = 11;
            label.LabelFontColor = front.Contains(shown[k]) ? Colors.OrangeRed : Colors.Black;
            label.LabelAlignment = Alignment.LowerLeft;
            label.OffsetX = 5;
            label.OffsetY = -4;
        }

        plot.Title(title);
        plot.XLabel(costLabel);
        plot.YLabel("held-out mean Dice");
        plot.ShowLegend(Alignment.LowerRight);
        plot.Axes.AutoScale();
        var limits = plot.Axes.GetLimits();
        plot.Axes.SetLimits(limits.Left, limits.Right + (0.2 * Math.Max(limits.Right - limits.Left, 1e-9)), limits.Bottom, limits.Top + (0.05 * Math.Max(limits.Top - limits.Bottom, 1e-9)));
        return plot;
    }

    private static string Names(AblationMerge merge, IReadOnlyList<int> front) =>
        front.Count == 0 ? "none yet" : string.Join(" → ", front.Select(i => merge.Variants[i].Variant.Name));

    private static string Number(double? value, string format = "F4", string missing = "") =>
        value is { } v && double.IsFinite(v) ? v.ToString(format, Invariant) : missing;

    private static string Quote(string field) =>
        field.IndexOfAny(new[] { ',', '"', '\n', '\r' }) < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>Writes <paramref name="text"/> as UTF-8 without a byte order mark, atomically (see <see cref="AtomicFile"/>).</summary>
    internal static void WriteText(string path, string text)
    {
        var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }
}
