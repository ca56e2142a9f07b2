using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Unetr.Model.Training;

namespace Unetr.Measurement.Ablation;

/// <summary>Writes a run's three files, each atomically (see <see cref="AtomicFile"/>).</summary>
public static class AblationOutput
{
    /// <summary>The table, one row per variant.</summary>
    public const string CsvFile = "ablation.csv";

    /// <summary>The report.</summary>
    public const string MarkdownFile = "ablation.md";

    /// <summary>The two-panel chart.</summary>
    public const string PngFile = "ablation.png";

    /// <summary>Creates <paramref name="directory"/> if needed and writes <see cref="CsvFile"/>, <see cref="MarkdownFile"/> and <see cref="PngFile"/> into it.</summary>
    /// <returns>The full paths written, in that order.</returns>
    public static IReadOnlyList<string> Write(string directory, IReadOnlyList<AblationRow> rows, AblationRunInfo info)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(info);
        Directory.CreateDirectory(directory);
        var csv = Path.GetFullPath(Path.Combine(directory, CsvFile));
        var markdown = Path.GetFullPath(Path.Combine(directory, MarkdownFile));
        var png = Path.GetFullPath(Path.Combine(directory, PngFile));
        var chart = AblationChart.Png(rows);
        WriteText(csv, AblationReport.Csv(rows));
        WriteText(markdown, AblationReport.Markdown(rows, info));
        AtomicFile.Write(png, stream => stream.Write(chart));
        return new[] { csv, markdown, png };
    }

    private static void WriteText(string path, string text)
    {
        var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }
}
