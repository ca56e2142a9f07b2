using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using Unetr.Model.Data;
using Unetr.Model.Training.Distributed;
using static TorchSharp.torch;

namespace Unetr.Model.Training;

/// <summary>Scores a network's argmax segmentation of labelled volumes with <see cref="DiceMetric"/>.</summary>
public static class SegmentationEvaluator
{
    /// <summary>
    /// Runs <paramref name="model"/> in eval mode without gradients on every volume of <paramref name="data"/>; the
    /// model's training flag is restored afterwards.
    /// </summary>
    /// <param name="model">The network.</param>
    /// <param name="inputShape">Its per-sample input shape (channels, then spatial sizes).</param>
    /// <param name="data">Labelled volumes.</param>
    /// <param name="infer">
    /// Maps an image batch [1, C, spatial…] to logits [1, classes, spatial…]. <c>null</c> calls the model directly,
    /// which needs every volume to have exactly the network's input size; for larger volumes pass
    /// <c>image => new SlidingWindowInferer(window).Run(image, model.call)</c> (see <see cref="Inference.SlidingWindowInferer"/>).
    /// </param>
    /// <param name="group">
    /// The ranks of a data-parallel run, every one of which calls this with the same model weights and volumes: volume i
    /// is scored on rank i mod N and the Dice sums are reduced, so every rank returns the score of all volumes.
    /// <c>null</c> scores every volume here.
    /// </param>
    public static DiceScore Evaluate(nn.Module<Tensor, Tensor> model, IReadOnlyList<long> inputShape, ISegmentationDataset data, Func<Tensor, Tensor>? infer = null, IProcessGroup? group = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputShape);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0)
        {
            throw new ArgumentException("The evaluation set has no volumes.", nameof(data));
        }

        DiceMetric? metric = null;
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            for (var i = group?.Rank ?? 0; i < data.Count; i += group?.Size ?? 1)
            {
                using var scope = NewDisposeScope();
                var (image, label) = data.Get(i);
                if (infer is null && !image.shape.SequenceEqual(inputShape))
                {
                    throw new ArgumentException(
                        $"Volume {i} has shape [{string.Join(", ", image.shape)}] but the network takes [{string.Join(", ", inputShape)}]; pass an inferer (e.g. a sliding window) for volumes of another size.",
                        nameof(data));
                }

                var logits = (infer ?? model.call)(image.unsqueeze(0));
                metric ??= new DiceMetric((int)logits.shape[1]);
                metric.Add(logits.argmax(1), label.unsqueeze(0));
            }
        }
        finally
        {
            model.train(wasTraining);
        }

        return (group is null ? metric! : DiceMetric.AllReduce(metric, group)).Compute();
    }
}
