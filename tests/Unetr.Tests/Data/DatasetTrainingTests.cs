using System;
using System.IO;
using System.Linq;
using Unetr.Model.Data;
using Unetr.Model.Inference;
using Unetr.Model.Training;
using Unetr.Tests.Nifti;
using Unetr.Tests.Training;
using Xunit;

namespace Unetr.Tests.Data;

[Collection(TrainingCollection.Name)]
public sealed class DatasetTrainingTests : IDisposable
{
    private readonly TemporaryDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Trains_a_few_steps_from_a_dataset_json_and_validates_with_a_sliding_window()
    {
        // 20 × 18 × 14 voxels: smaller than the 16³ window along z, so crops are padded.
        var json = ToyDataset.Write(_folder.Path, 4);
        var preprocessing = new VolumePreprocessing { Window = new IntensityWindow(0, 300), Normalize = new ZScoreNormalization() };

        using var splits = SegmentationDatasets.Open(json, preprocessing);
        splits.EnsureFits(nameof(TrainableTinyNet), TrainableTinyNet.InputShape[0], TrainableTinyNet.OutputShape[0]);
        var options = new TrainingOptions { Steps = 3, BatchSize = 2, WarmupSteps = 1, ValidateEvery = 3, LearningRate = 1e-3, Seed = 4, ForegroundCropProbability = 0.5 };
        using var trainer = new Trainer(() => new TrainableTinyNet(), TrainableTinyNet.InputShape, splits.Training, options);
        var inferer = new SlidingWindowInferer(TrainableTinyNet.InputShape.Skip(1).ToArray());
        var output = Path.Combine(_folder.Path, "run");

        var summary = trainer.Run(splits.Validation, output, infer: image => inferer.Run(image, trainer.Model.call));

        Assert.Equal(3, summary.Steps.Count);
        Assert.Equal((3, 1), (splits.Training.Count, splits.Validation.Count));
        Assert.All(summary.Steps, step => Assert.True(double.IsFinite(step.Loss) && step.Loss > 0, $"loss {step.Loss}"));
        var validation = Assert.Single(summary.Validations);
        Assert.Equal(1, validation.Score.Volumes);
        Assert.InRange(validation.Score.Mean, 0, 1);
        Assert.True(File.Exists(Path.Combine(output, CheckpointFiles.BestWeights)));
    }
}
