using System;
using System.Globalization;
using System.Text.RegularExpressions;
using Unetr.Tests.Generator;
using Xunit;
using Xunit.Abstractions;

namespace Unetr.Tests.Packaging;

/// <summary>The projects in <c>samples/</c> run as README says, so they cannot rot.</summary>
[Collection(DotnetBuildCollection.Name)]
public sealed class SampleTests(ITestOutputHelper output)
{
    [Fact]
    public void TrainAVariant_prints_its_compile_time_summary_trains_and_scores_held_out_volumes()
    {
        var printed = new DotnetProcess(output).Run(
            $"run -c {DotnetProcess.BuildConfiguration} --project samples/TrainAVariant -- 40", RepositoryFiles.PathOf());

        var declared = Regex.Match(printed, @"^Parameters: (\d+) declared, (\d+) built", RegexOptions.Multiline);
        Assert.True(declared.Success, printed);
        Assert.Equal(declared.Groups[1].Value, declared.Groups[2].Value);
        var total = Regex.Match(printed, @"^Total params: ([\d,]+)", RegexOptions.Multiline);
        Assert.True(total.Success, printed);
        Assert.Equal(declared.Groups[1].Value, total.Groups[1].Value.Replace(",", string.Empty, StringComparison.Ordinal));
        Assert.Contains("encoder1", printed);

        var loss = Regex.Match(printed, @"^Trained 40 steps in [\d.]+ s; loss ([\d.]+) -> ([\d.]+)", RegexOptions.Multiline);
        Assert.True(loss.Success, printed);
        Assert.True(Number(loss.Groups[2].Value) < Number(loss.Groups[1].Value), "the loss did not fall: " + loss.Value);

        var dice = Regex.Match(printed, @"^Held-out mean Dice ([\d.]+) on 8 test volumes \(background [\d.]+, ellipsoid [\d.]+, box [\d.]+\)", RegexOptions.Multiline);
        Assert.True(dice.Success, printed);
        Assert.InRange(Number(dice.Groups[1].Value), 0.0, 1.0);
    }

    private static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);
}
