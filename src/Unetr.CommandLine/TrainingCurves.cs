using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using ScottPlot;
using Unetr.Model.Training;

namespace Unetr.CommandLine;

/// <summary>
/// The loss of every training step and the mean Dice of every validation, kept as training goes and written beside the
/// checkpoints as <see cref="CsvFile"/> (one row per step) and <see cref="PngFile"/> (both curves, Dice on the right axis).
/// </summary>
public sealed class TrainingCurves
{
    /// <summary>File name of the table.</summary>
    public const string CsvFile = "curves.csv";

    /// <summary>File name of the picture.</summary>
    public const string PngFile = "curves.png";

    /// <summary>Width of the picture in pixels.</summary>
    public const int Width = 900;

    /// <summary>Height of the picture in pixels.</summary>
    public const int Height = 500;

    private const string Header = "step,loss,learning_rate,gradient_norm,validation_mean_dice";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private readonly SortedDictionary<long, Row> rows = new();

    /// <summary>Curves of a run that starts at <paramref name="step"/>: empty for a new run; a resumed one keeps the rows up to its step from <paramref name="directory"/>'s table.</summary>
    public static TrainingCurves Continuing(string directory, long step)
    {
        var curves = new TrainingCurves();
        var path = Path.Combine(directory, CsvFile);
        if (step == 0 || !File.Exists(path))
        {
            return curves;
        }

        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var fields = line.Split(',');
            if (fields.Length == 5 && long.TryParse(fields[0], Invariant, out var rowStep) && rowStep <= step)
            {
                curves.rows[rowStep] = new Row(Parse(fields[1]), Parse(fields[2]), Parse(fields[3]), Parse(fields[4]));
            }
        }

        return curves;
    }

    /// <summary>Steps recorded so far.</summary>
    public int Steps => rows.Values.Count(row => row.Loss is not null);

    /// <summary>Validations recorded so far.</summary>
    public int Validations => rows.Values.Count(row => row.MeanDice is not null);

    /// <summary>Records a training step.</summary>
    public void Add(StepResult step) =>
        rows[step.Step] = (rows.GetValueOrDefault(step.Step) ?? new Row(null, null, null, null)) with
        {
            Loss = step.Loss,
            LearningRate = step.LearningRate,
            GradientNorm = step.GradientNorm,
        };

    /// <summary>Records a validation.</summary>
    public void Add(ValidationResult validation) =>
        rows[validation.Step] = (rows.GetValueOrDefault(validation.Step) ?? new Row(null, null, null, null)) with { MeanDice = validation.Score.Mean };

    /// <summary>Writes <see cref="CsvFile"/> and <see cref="PngFile"/> into <paramref name="directory"/>, each atomically.</summary>
    public void Write(string directory)
    {
        Directory.CreateDirectory(directory);
        var table = new StringBuilder(Header).Append('\n');
        foreach (var (step, row) in rows)
        {
            table.Append(Invariant, $"{step},{Format(row.Loss)},{Format(row.LearningRate)},{Format(row.GradientNorm)},{Format(row.MeanDice)}\n");
        }

        AtomicFile.Write(Path.Combine(directory, CsvFile), stream => stream.Write(Encoding.UTF8.GetBytes(table.ToString())));
        var picture = Draw();
        AtomicFile.Write(Path.Combine(directory, PngFile), stream => stream.Write(picture));
    }

    private byte[] Draw()
    {
        using var plot = new Plot();
        var losses = rows.Where(entry => entry.Value.Loss is not null).ToArray();
        var loss = plot.Add.ScatterLine(losses.Select(entry => (double)entry.Key).ToArray(), losses.Select(entry => entry.Value.Loss!.Value).ToArray());
        loss.LegendText = "training loss";
        loss.LineWidth = 1;

        var dices = rows.Where(entry => entry.Value.MeanDice is not null).ToArray();
        var dice = plot.Add.Scatter(dices.Select(entry => (double)entry.Key).ToArray(), dices.Select(entry => entry.Value.MeanDice!.Value).ToArray());
        dice.LegendText = "validation mean Dice";
        dice.MarkerSize = 7;
        dice.LineWidth = 2;
        dice.Axes.YAxis = plot.Axes.Right;

        plot.Axes.Bottom.Label.Text = "step";
        plot.Axes.Left.Label.Text = "loss";
        plot.Axes.Right.Label.Text = "mean Dice";
        plot.Axes.SetLimitsY(0, 1, plot.Axes.Right);
        plot.ShowLegend(Alignment.UpperCenter);
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }

    private static string Format(double? value) => value?.ToString("R", Invariant) ?? string.Empty;

    private static double? Parse(string field) =>
        double.TryParse(field, NumberStyles.Float, Invariant, out var value) ? value : null;

    private sealed record Row(double? Loss, double? LearningRate, double? GradientNorm, double? MeanDice);
}
