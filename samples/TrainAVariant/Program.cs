// A UNETR variant of your own, from declaration to a held-out Dice, in one file.
//
//   dotnet run -c Release --project samples/TrainAVariant            (200 steps, about half a minute on 2 cores)
//   dotnet run -c Release --project samples/TrainAVariant -- 50      (any number of steps)
//
// 1. Declare the variant with attributes. The build checks it: an impossible combination (a patch size that does not
//    divide the image, heads that do not divide the width, ...) is a compile error on the attribute argument.
// 2. Its size, cost and every stage's shape are constants of the generated class, known before anything runs.
// 3. Train it briefly on the embedded synthetic volumes and score it on test volumes it never saw.
using System;
using System.Globalization;
using System.Linq;
using Unetr.Dsl;
using Unetr.Model.Data;
using Unetr.Model.Runtime;
using Unetr.Model.Training;

// First, before anything loads libtorch: the process settings the unetr tool makes (OpenMP's passive wait, a C heap
// that keeps freed pages for the next step). Without this call the library changes nothing process-wide.
UnetrRuntime.Configure();

var steps = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;

Console.WriteLine(SmallPatchUnetr.Summary);

var data = SegmentationDatasets.Synthetic(trainingVolumes: 16, validationVolumes: 4, size: 32);
var options = new TrainingOptions
{
    Steps = steps,
    BatchSize = 2,
    LearningRate = 1e-3,
    WarmupSteps = Math.Min(20, steps - 1),
    ValidateEvery = steps,
    Seed = 7,
};

using var trainer = new Trainer(() => new SmallPatchUnetr(), SmallPatchUnetr.InputShape, data.Training, options);
var summary = trainer.Run(data.Validation);
var test = SegmentationEvaluator.Evaluate(trainer.Model, SmallPatchUnetr.InputShape, SyntheticDataset.Test(8, 32));

Console.WriteLine($"Parameters: {SmallPatchUnetr.ParameterCount} declared, {trainer.Model.parameters().Sum(p => p.numel())} built");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Trained {summary.Steps.Count} steps in {summary.Elapsed.TotalSeconds:F1} s; loss {summary.Steps[0].Loss:F4} -> {summary.Steps[^1].Loss:F4}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Held-out mean Dice {test.Mean:F4} on {test.Volumes} test volumes ({string.Join(", ", SyntheticVolume.ClassNames.Zip(test.PerClass, (name, dice) => $"{name} {dice:F4}"))})"));

/// <summary>
/// TinyMonaiUnetr with patch 8 instead of 16: 64 tokens instead of 8, three decoder stages instead of four.
/// Edit an attribute and rebuild to try another variant.
/// </summary>
[Unetr(Layout = UnetrLayout.Monai, ImageSize = new[] { 32, 32, 32 }, InChannels = 1, OutChannels = 3)]
[PatchEmbedding(PatchSize = 8)]
[Encoder(EmbedDim = 96, Depth = 4, Heads = 4, MlpDim = 192)]
[Decoder(Widths = new[] { 8, 16, 32 }, Norm = NormKind.Instance, Residual = true)]
public partial class SmallPatchUnetr;
