using System;
using System.Collections.Generic;
using System.Linq;
using ScottPlot;
using SkiaSharp;

namespace Unetr.Measurement.Ablation;

/// <summary>
/// Two panels side by side, Dice against compile-time MACs and Dice against forward latency; every variant is a
/// labelled point and each panel's Pareto front is drawn as a line through its (highlighted) points.
/// </summary>
public static class AblationChart
{
    private const int PanelWidth = 800;
    private const int PanelHeight = 600;

    private static readonly Color Others = Colors.SteelBlue;
    private static readonly Color Front = Colors.OrangeRed;

    /// <summary>The chart as PNG bytes.</summary>
    public static byte[] Png(IReadOnlyList<AblationRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            throw new ArgumentException("No rows to plot.", nameof(rows));
        }

        var macs = Panel(rows, rows.Select(r => r.MultiplyAccumulates / 1e9).ToArray(), AblationReport.FrontByMacs(rows),
            "Dice against compile-time cost", "GMAC per sample (per-voxel convention)");
        var latency = Panel(rows, rows.Select(r => r.ForwardSeconds * 1e3).ToArray(), AblationReport.FrontByLatency(rows),
            "Dice against forward latency", "forward ms per sample (median)");

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

    private static Plot Panel(IReadOnlyList<AblationRow> rows, double[] costs, IReadOnlyList<int> front, string title, string costLabel)
    {
        var plot = new Plot();
        var dice = rows.Select(r => r.Dice).ToArray();
        var others = Enumerable.Range(0, rows.Count).Except(front).ToArray();

        var rest = plot.Add.ScatterPoints(others.Select(i => costs[i]).ToArray(), others.Select(i => dice[i]).ToArray(), Others);
        rest.MarkerSize = 9;
        rest.LegendText = "variant";

        var frontLine = plot.Add.Scatter(front.Select(i => costs[i]).ToArray(), front.Select(i => dice[i]).ToArray(), Front);
        frontLine.MarkerSize = 11;
        frontLine.LineWidth = 2;
        frontLine.LegendText = "Pareto front";

        for (var i = 0; i < rows.Count; i++)
        {
            var label = plot.Add.Text(rows[i].Name.Replace("Ablation", string.Empty, StringComparison.Ordinal), costs[i], dice[i]);
            label.LabelFontSize = 11;
            label.LabelFontColor = front.Contains(i) ? Front : Colors.Black;
            label.LabelAlignment = Alignment.LowerLeft;
            label.OffsetX = 5;
            label.OffsetY = -4;
        }

        plot.Title(title);
        plot.XLabel(costLabel);
        plot.YLabel("held-out mean Dice");
        plot.ShowLegend(Alignment.LowerRight);

        // Room on the right and above for the labels of the extreme points.
        plot.Axes.AutoScale();
        var limits = plot.Axes.GetLimits();
        plot.Axes.SetLimits(limits.Left, limits.Right + 0.2 * Math.Max(limits.Right - limits.Left, 1e-9), limits.Bottom, limits.Top + 0.05 * Math.Max(limits.Top - limits.Bottom, 1e-9));
        return plot;
    }
}
