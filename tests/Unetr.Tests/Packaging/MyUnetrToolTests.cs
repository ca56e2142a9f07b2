using System;
using System.IO;
using System.Text.RegularExpressions;
using TorchSharp;
using Unetr.Model.Data.Nifti;
using Unetr.Tests.Generator;
using Unetr.Tests.Snapshots;
using Xunit;
using Xunit.Abstractions;

namespace Unetr.Tests.Packaging;

/// <summary>
/// <c>samples/MyUnetrTool</c>, a user's project whose Program.cs is one call to <c>UnetrCommandLine.Run</c>, is the unetr
/// tool for the networks it declares, the variants of its <c>[Sweep]</c> included: summary, train, evaluate, infer, ablate,
/// and an unknown name answered with the list.
/// </summary>
[Collection(DotnetBuildCollection.Name)]
public sealed class MyUnetrToolTests(ITestOutputHelper output)
{
    private const string Project = "samples/MyUnetrTool";

    [Fact]
    public void The_samples_own_network_is_summarised_trained_and_evaluated()
    {
        var dotnet = new DotnetProcess(output);
        var repository = RepositoryFiles.PathOf();
        var runs = Directory.CreateTempSubdirectory("unetr-my-tool-");
        try
        {
            var summary = dotnet.Run($"run -c {DotnetProcess.BuildConfiguration} --project {Project} -- summary SmallPatchUnetr", repository);
            Snapshot.VerifyText(summary);

            var trained = dotnet.Run(
                $"run -c {DotnetProcess.BuildConfiguration} --no-build --project {Project} -- train --model SmallPatchUnetr --steps 4 --warmup 1 --validate-every 2 --log-every 2 --train-volumes 4 --validation-volumes 2 --test-volumes 2 --output {runs.FullName}",
                repository);
            Assert.StartsWith("Training SmallPatchUnetr (69,671 parameters) on 4 synthetic 32³ volumes", trained, StringComparison.Ordinal);
            var heldOut = Regex.Match(trained, @"^Held-out mean Dice [\d.]+ \(ellipsoid ([\d.]+), box ([\d.]+)\) on 2 test volumes", RegexOptions.Multiline);
            Assert.True(heldOut.Success, trained);
            var best = Path.Combine(runs.FullName, "best.pt");
            Assert.True(File.Exists(best), trained);

            // Scored again by evaluate, the best checkpoint gives the Dice train reported on the same test volumes.
            var evaluated = dotnet.Run(
                $"run -c {DotnetProcess.BuildConfiguration} --no-build --project {Project} -- evaluate --model smallpatchunetr --weights {best} --volumes 2",
                repository);
            Assert.Contains($"Loaded {best} into SmallPatchUnetr (", evaluated, StringComparison.Ordinal);
            Assert.Matches($@"1 ellipsoid +{Regex.Escape(heldOut.Groups[1].Value)}\n", evaluated);
            Assert.Matches($@"2 box +{Regex.Escape(heldOut.Groups[2].Value)}\n", evaluated);
        }
        finally
        {
            runs.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_sweep_variant_is_named_baseline_dot_variant_and_is_summarised_trained_and_used_by_infer()
    {
        var dotnet = new DotnetProcess(output);
        var repository = RepositoryFiles.PathOf();
        var folder = Directory.CreateTempSubdirectory("unetr-my-tool-variant-");
        try
        {
            var summary = dotnet.Run($"run -c {DotnetProcess.BuildConfiguration} --project {Project} -- summary SmallPatchUnetr.ResidualFalse", repository);
            Assert.StartsWith("Sweep variant of SmallPatchUnetr: Residual=false" + Environment.NewLine + "ResidualFalse: input [B, 1, 32, 32, 32]", summary, StringComparison.Ordinal);
            var total = Regex.Match(summary, @"^Total params: ([\d,]+)$", RegexOptions.Multiline);
            Assert.True(total.Success, summary);

            // Trained under its C# name, the variant is built with the parameters its compile-time summary counts,
            // which are not the baseline's 69,671 (plain blocks drop the residual projections).
            var runs = Path.Combine(folder.FullName, "runs");
            var trained = dotnet.Run(
                $"run -c {DotnetProcess.BuildConfiguration} --no-build --project {Project} -- train --model SmallPatchUnetr.ResidualFalse --steps 2 --warmup 1 --validate-every 2 --log-every 2 --train-volumes 2 --validation-volumes 1 --test-volumes 1 --output {runs}",
                repository);
            Assert.StartsWith($"Training SmallPatchUnetr.ResidualFalse ({total.Groups[1].Value} parameters) on 2 synthetic 32³ volumes", trained, StringComparison.Ordinal);
            Assert.NotEqual("69,671", total.Groups[1].Value);

            // infer takes the class name alone too (case-insensitive), and writes labels on the input's 32 × 28 × 20 grid.
            var image = Path.Combine(folder.FullName, "image.nii");
            var labels = Path.Combine(folder.FullName, "labels.nii");
            WriteImage(image, new long[] { 32, 28, 20 });
            var inferred = dotnet.Run(
                $"run -c {DotnetProcess.BuildConfiguration} --no-build --project {Project} -- infer --model residualfalse --weights {Path.Combine(runs, "best.pt")} --input {image} --output {labels}",
                repository);
            Assert.Contains($"Loaded {Path.Combine(runs, "best.pt")} into ResidualFalse (", inferred, StringComparison.Ordinal);
            Assert.Contains($"Wrote {labels} (", inferred, StringComparison.Ordinal);
            Assert.Equal(new long[] { 32, 28, 20 }, NiftiFile.ReadHeader(labels).Dimensions);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Ablate_quick_compares_the_samples_sweep_variants_with_their_baseline_in_processes_of_their_own_and_a_rerun_resumes()
    {
        var dotnet = new DotnetProcess(output);
        var repository = RepositoryFiles.PathOf();
        var folder = Directory.CreateTempSubdirectory("unetr-my-tool-ablate-");
        try
        {
            // The quick budget, shortened further by --steps and the volume counts so that the test takes seconds.
            var ablate = $"run -c {DotnetProcess.BuildConfiguration} --project {Project} -- ablate --quick --steps 3 --train-volumes 2 --held-out-volumes 1 --rounds 1 --output {folder.FullName}";
            var printed = dotnet.Run(ablate, repository);

            // With a [Sweep] in the host, the default is its baseline and the variants: the 2D network is not considered.
            Assert.DoesNotContain("SliceUnetr", printed, StringComparison.Ordinal);
            Assert.Contains("3 networks × 2 seeds (20260521, 20260522), 3 steps each, baseline SmallPatchUnetr; 0 of 9 jobs finished before, 9 to run.", printed, StringComparison.Ordinal);
            Assert.Matches(@"ResidualFalse − SmallPatchUnetr: [+-][\d.]+ Dice, 95 % interval \[[+-][\d.]+, [+-][\d.]+\] over 2 seeds", printed);
            Assert.Matches(@"Depth6 − SmallPatchUnetr: [+-][\d.]+ Dice, 95 % interval \[[+-][\d.]+, [+-][\d.]+\] over 2 seeds", printed);
            Assert.Equal(9, Directory.GetFiles(Path.Combine(folder.FullName, "results"), "*.json").Length);
            Assert.True(File.Exists(Path.Combine(folder.FullName, "ablation.png")));

            // Run again (as after a kill): every job is found finished and only the report is written again.
            var again = dotnet.Run(ablate.Replace("run -c", "run --no-build -c", StringComparison.Ordinal), repository);
            Assert.Contains("9 of 9 jobs finished before, 0 to run.", again, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void An_unknown_model_lists_the_samples_networks_and_the_presets()
    {
        var (exitCode, printed, error) = new DotnetProcess(output).RunAllowingFailure(
            $"run -c {DotnetProcess.BuildConfiguration} --project {Project} -- summary NoSuchNet", RepositoryFiles.PathOf());

        Assert.Equal(2, exitCode);
        Assert.DoesNotContain("NoSuchNet", printed, StringComparison.Ordinal);
        Assert.Equal("Unknown model 'NoSuchNet'; expected one of: SmallPatchUnetr, SmallPatchUnetr.ResidualFalse, SmallPatchUnetr.Depth6, SliceUnetr, SeedUnetr, MonaiBtcvUnetr, TinyMonaiUnetr.", error.Trim());
    }

    /// <summary>A one-channel NIfTI image of <paramref name="dimensions"/> (x, y, z) voxels of noise, 1 mm spacing.</summary>
    private static void WriteImage(string path, long[] dimensions)
    {
        var header = new NiftiHeader { Dimensions = dimensions, DataType = NiftiDataType.Float32, PixDim = new[] { 1.0, 1, 1, 1, 1, 1, 1, 1 } };
        using var voxels = torch.rand(header.TensorShape(VoxelAxisOrder.Zyx));
        NiftiFile.Write(NiftiImage.FromTensor(header, voxels), path);
    }
}
