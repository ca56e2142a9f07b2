using System;
using System.IO;
using System.Linq;
using SkiaSharp;
using Unetr.Measurement.Ablation;
using Unetr.Model.Data;
using Unetr.Model.Data.Sources;
using Unetr.Model.Presets;
using Unetr.Tests.Data;
using Unetr.Tests.Training;
using Xunit;

namespace Unetr.Tests.Ablation;

// The runner sets libtorch's (process-wide) thread count and seeds its generator, so it runs with the training tests, alone.
[Collection(TrainingCollection.Name)]
public sealed class AblationRunnerTests : IDisposable
{
    private static readonly AblationSettings Tiny = new()
    {
        Steps = 2,
        BatchSize = 1,
        WarmupSteps = 0,
        TrainVolumes = 2,
        HeldOutVolumes = 1,
        ForwardRepeats = 1,
        TrainStepRepeats = 1,
        Threads = 1,
        Seed = 5,
    };

    private readonly string _directory = Directory.CreateTempSubdirectory("unetr-ablation-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Smoke_run_of_two_variants_writes_the_csv_the_report_and_a_png()
    {
        var variants = new[]
        {
            AblationVariant.Of<TrainableTinyNet>(AblationFactor.Baseline, "tiny seed"),
            AblationVariant.Of<OtherTinyNet>(AblationFactor.Layout, "tiny MONAI"),
        };
        var log = new StringWriter();

        var rows = new AblationRunner(Tiny, log).Run(variants);
        var info = new AblationRunInfo("test", DateTimeOffset.UnixEpoch, "test machine", "0", "0 → 0", TimeSpan.Zero, Tiny);
        var files = AblationOutput.Write(Path.Combine(_directory, "out"), rows, info);

        Assert.Equal(new[] { nameof(TrainableTinyNet), nameof(OtherTinyNet) }, rows.Select(r => r.Name));
        Assert.Equal(new[] { TrainableTinyNet.ParameterCount, OtherTinyNet.ParameterCount }, rows.Select(r => r.Parameters));
        Assert.All(rows, r =>
        {
            Assert.InRange(r.Dice, 0, 1);
            Assert.Equal(2, r.ClassDice.Count);
            Assert.True(r.ForwardSeconds > 0 && r.TrainStepSeconds > 0 && double.IsFinite(r.FinalLoss));
        });
        var lines = log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("[1/2] TrainableTinyNet", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("[2/2] OtherTinyNet", lines[1], StringComparison.Ordinal);

        Assert.Equal(new[] { "ablation.csv", "ablation.md", "ablation.png" }, files.Select(Path.GetFileName));
        var csv = File.ReadAllLines(files[0]);
        Assert.Equal(3, csv.Length);
        Assert.StartsWith("TrainableTinyNet,Baseline,tiny seed,", csv[1], StringComparison.Ordinal);
        Assert.Contains("| OtherTinyNet | tiny MONAI |", File.ReadAllText(files[1]), StringComparison.Ordinal);
        var png = File.ReadAllBytes(files[2]);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png.Take(8));
        using var bitmap = SKBitmap.Decode(png);
        Assert.Equal((1600, 600), (bitmap.Width, bitmap.Height));
        Assert.True(HasInk(bitmap, 0, 800), "the left panel (Dice against MACs) is blank");
        Assert.True(HasInk(bitmap, 800, 1600), "the right panel (Dice against latency) is blank");
        Assert.Empty(Directory.GetFiles(Path.Combine(_directory, "out"), "*.tmp"));
    }

    private static bool HasInk(SKBitmap bitmap, int fromX, int toX)
    {
        for (var x = fromX; x < toX; x += 2)
        {
            for (var y = 0; y < bitmap.Height; y += 2)
            {
                var pixel = bitmap.GetPixel(x, y);
                if (pixel.Red < 128 && pixel.Green < 128 && pixel.Blue < 128)
                {
                    return true;
                }
            }
        }

        return false;
    }

    [Fact]
    public void Trains_on_a_dataset_json_and_scores_its_validation_volumes_through_a_sliding_window()
    {
        // Toy volumes are 20 × 18 × 14 voxels, not the network's 16³: scoring needs the sliding window.
        using var splits = SegmentationDatasets.Open(ToyDataset.Write(Path.Combine(_directory, "toy"), 3));
        var log = new StringWriter();

        var row = Assert.Single(new AblationRunner(Tiny, log).Run(new[] { AblationVariant.Of<OtherTinyNet>(AblationFactor.Baseline, "tiny") }, splits));

        Assert.Equal(nameof(OtherTinyNet), row.Name);
        Assert.InRange(row.Dice, 0, 1);
        Assert.Equal(2, row.ClassDice.Count);
        Assert.StartsWith("[1/1] OtherTinyNet", log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_a_variant_whose_classes_do_not_fit_the_dataset()
    {
        using var splits = SegmentationDatasets.Open(ToyDataset.Write(Path.Combine(_directory, "toy"), 3));
        var tiny = AblationVariant.Of<OtherTinyNet>(AblationFactor.Baseline, "tiny");
        var fourClasses = tiny with { Name = "FourClasses", OutputShape = new long[] { 4, 16, 16, 16 } };

        var error = Assert.Throws<DatasetException>(() => new AblationRunner(Tiny, TextWriter.Null).Run(new[] { fourClasses }, splits));

        Assert.Contains("FourClasses takes 1 input channel(s) and predicts 4 classes", error.Message, StringComparison.Ordinal);
        Assert.Contains("3 classes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_a_variant_the_embedded_dataset_cannot_feed()
    {
        var tiny = AblationVariant.Of<TinyMonaiUnetr>(AblationFactor.Baseline, "tiny");
        var twoChannels = tiny with { Name = "TwoChannels", Summary = tiny.Summary with { InputShape = new long[] { 2, 32, 32, 32 } } };

        var error = Assert.Throws<ArgumentException>(() => new AblationRunner(Tiny, TextWriter.Null).Run(new[] { twoChannels }));

        Assert.Contains("TwoChannels takes [2, 32, 32, 32]", error.Message, StringComparison.Ordinal);
        Assert.Contains("[1, S, S, S]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_settings_with_a_warm_up_as_long_as_the_run()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new AblationRunner(Tiny with { WarmupSteps = 2 }, TextWriter.Null));

        Assert.Equal(nameof(AblationSettings.WarmupSteps), error.ParamName);
        Assert.Contains("less than Steps (2)", error.Message, StringComparison.Ordinal);
    }
}
