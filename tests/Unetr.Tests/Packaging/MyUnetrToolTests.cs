using System;
using System.IO;
using System.Text.RegularExpressions;
using Unetr.Tests.Generator;
using Unetr.Tests.Snapshots;
using Xunit;
using Xunit.Abstractions;

namespace Unetr.Tests.Packaging;

/// <summary>
/// <c>samples/MyUnetrTool</c>, a user's project whose Program.cs is one call to <c>UnetrCommandLine.Run</c>, is the unetr
/// tool for the networks it declares: summary, train, evaluate, and an unknown name answered with the list.
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
    public void Ablate_quick_compares_the_samples_own_networks_in_processes_of_their_own_and_a_rerun_resumes()
    {
        var dotnet = new DotnetProcess(output);
        var repository = RepositoryFiles.PathOf();
        var folder = Directory.CreateTempSubdirectory("unetr-my-tool-ablate-");
        try
        {
            // The quick budget, shortened further by --steps and the volume counts so that the test takes seconds.
            var ablate = $"run -c {DotnetProcess.BuildConfiguration} --project {Project} -- ablate --quick --steps 3 --train-volumes 2 --held-out-volumes 1 --rounds 1 --output {folder.FullName}";
            var printed = dotnet.Run(ablate, repository);

            Assert.Contains("Left out (the embedded volumes cannot feed them; give --data or --models): SliceUnetr.", printed, StringComparison.Ordinal);
            Assert.Contains("2 networks × 2 seeds (20260521, 20260522), 3 steps each, baseline SmallPatchUnetr; 0 of 6 jobs finished before, 6 to run.", printed, StringComparison.Ordinal);
            Assert.Matches(@"SmallPatchPlainUnetr − SmallPatchUnetr: [+-][\d.]+ Dice, 95 % interval \[[+-][\d.]+, [+-][\d.]+\] over 2 seeds", printed);
            Assert.Equal(6, Directory.GetFiles(Path.Combine(folder.FullName, "results"), "*.json").Length);
            Assert.True(File.Exists(Path.Combine(folder.FullName, "ablation.png")));

            // Run again (as after a kill): every job is found finished and only the report is written again.
            var again = dotnet.Run(ablate.Replace("run -c", "run --no-build -c", StringComparison.Ordinal), repository);
            Assert.Contains("6 of 6 jobs finished before, 0 to run.", again, StringComparison.Ordinal);
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
        Assert.Equal("Unknown model 'NoSuchNet'; expected one of: SmallPatchUnetr, SliceUnetr, SmallPatchPlainUnetr, SeedUnetr, MonaiBtcvUnetr, TinyMonaiUnetr.", error.Trim());
    }
}
