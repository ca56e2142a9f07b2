using System;
using System.IO;
using System.Linq;
using SkiaSharp;
using Unetr.CommandLine;
using Unetr.CommandLine.Ablation;
using Xunit;

namespace Unetr.Tests.Ablation;

public sealed class AblationMergeTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("unetr-ablation-merge-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static AblationJobResult Trained(AblationJob job, double dice) => new(job, dice, new[] { dice, dice }, 0.5, 1.0, null, null, null, 1, "test");

    private static AblationJobResult Measured(AblationJob job, double forwardMs) => new(job, null, null, null, null, forwardMs / 1e3, 0.1, 64L << 20, 2, "test");

    [Fact]
    public void Report_merges_what_finished_and_names_the_jobs_that_did_not()
    {
        // Seeds 7 and 8; Base: 0.60, 0.70; Deep: 0.65, 0.80 (differences 0.05, 0.10); Wide trained with seed 7 only.
        var plan = AblationPlanTests.Plan();
        plan.Save(_directory);
        var jobs = plan.Jobs;
        Trained(jobs[0], 0.60).Save(_directory);
        Trained(jobs[1], 0.65).Save(_directory);
        Trained(jobs[2], 0.90).Save(_directory);
        Trained(jobs[3], 0.70).Save(_directory);
        Trained(jobs[4], 0.80).Save(_directory);
        Measured(jobs[6], 10).Save(_directory);
        Measured(jobs[7], 20).Save(_directory);
        Measured(jobs[8], 30).Save(_directory);
        Measured(jobs[11], 14).Save(_directory);

        var merge = AblationMerge.Read(_directory, plan);

        Assert.Equal(new[] { jobs[5], jobs[9], jobs[10] }, merge.Missing);
        var (base_, deep, wide) = (merge.Variants[0], merge.Variants[1], merge.Variants[2]);
        Assert.Equal(0.65, base_.Dice!.Value.Mean, 12);
        Assert.Equal(12.706204736 * 0.05, base_.Dice!.Value.HalfWidth, 8); // s of {0.6, 0.7} = 0.1/√2, /√2 = 0.05
        Assert.Null(base_.Difference);
        Assert.Equal(0.075, deep.Difference!.Value.Mean, 12);
        Assert.Equal(12.706204736 * 0.025, deep.Difference!.Value.HalfWidth, 8); // s of {0.05, 0.10} = 0.0353553, /√2 = 0.025
        Assert.False(deep.Resolved);
        Assert.Single(wide.DiceBySeed);
        Assert.False(wide.Dice!.Value.HasInterval);
        Assert.Equal(0.012, base_.ForwardSeconds!.Value, 12); // median of 10 and 14 ms
        Assert.Equal(2, base_.Rounds);
        Assert.Equal(1, wide.Rounds);

        var files = AblationSummaryReport.Write(_directory, merge, "test machine");
        var markdown = File.ReadAllText(files[1]);
        Assert.Contains("| jobs | 9 of 12 finished |", markdown, StringComparison.Ordinal);
        Assert.Contains("**Not finished (3 jobs):** job 5: train Wide with seed 8; job 9: measure Deep (round 2); job 10: measure Wide (round 2).", markdown, StringComparison.Ordinal);
        Assert.Contains("| Deep | Encoder.Depth=6 | 0.00 | 0.00 | 2 | 0.7250 ± 0.9530 | +0.0750 [-0.2427, +0.3927] | no |", markdown, StringComparison.Ordinal);
        Assert.Contains("| Wide | Encoder.EmbedDim=64 | 0.00 | 0.01 | 1 | 0.9000 (n/a) | +0.3000 (n/a) | — |", markdown, StringComparison.Ordinal);
        var csv = File.ReadAllLines(files[0]);
        Assert.Equal(4, csv.Length);
        Assert.Equal("Base,baseline,1000,2000000,2,0.6500,0.0147,1.2853,,,,,12.000,100.000,64.0,2,true,true", csv[1]);
        var png = File.ReadAllBytes(files[2]);
        using var bitmap = SKBitmap.Decode(png);
        Assert.Equal((1600, 600), (bitmap.Width, bitmap.Height));
        Assert.Empty(Directory.GetFiles(_directory, "*.tmp"));
    }

    [Fact]
    public void A_result_file_of_another_job_or_with_a_broken_dice_is_refused_by_name()
    {
        var plan = AblationPlanTests.Plan();
        plan.Save(_directory);
        Trained(plan.Jobs[1], 0.5).Save(_directory);
        File.Move(AblationJobResult.PathOf(_directory, plan.Jobs[1]), AblationJobResult.PathOf(_directory, plan.Jobs[0]));

        var foreign = Assert.Throws<UsageException>(() => AblationMerge.Read(_directory, plan));
        Assert.Contains("train-Base-seed7.json' is corrupt (it holds job 1: train Deep with seed 7, not job 0: train Base with seed 7); delete it", foreign.Message, StringComparison.Ordinal);

        Trained(plan.Jobs[0], 1.5).Save(_directory);
        Assert.Contains("needs a Dice in [0, 1]", Assert.Throws<UsageException>(() => AblationMerge.Read(_directory, plan)).Message, StringComparison.Ordinal);

        File.WriteAllText(AblationJobResult.PathOf(_directory, plan.Jobs[0]), "{ truncated");
        Assert.Contains("is corrupt", Assert.Throws<UsageException>(() => AblationMerge.Read(_directory, plan)).Message, StringComparison.Ordinal);
    }
}
