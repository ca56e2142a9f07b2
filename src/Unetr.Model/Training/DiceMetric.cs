using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using Unetr.Model.Training.Distributed;
using static TorchSharp.torch;

namespace Unetr.Model.Training;

/// <summary>Dice per class and their mean over the foreground classes.</summary>
/// <param name="PerClass">Dice of every class by label value (index 0 is the background), each averaged over the volumes seen.</param>
/// <param name="Mean">Mean of <paramref name="PerClass"/> without the background (index 0).</param>
/// <param name="Volumes">Number of volumes averaged.</param>
public sealed record DiceScore(IReadOnlyList<double> PerClass, double Mean, int Volumes);

/// <summary>
/// Hard Dice of predicted label maps (argmax of the logits) against reference labels, accumulated volume by volume:
/// each class's Dice is computed per volume, then averaged over volumes; the mean leaves the background out.
/// </summary>
/// <remarks>
/// An empty class: when a volume's reference has no voxel of a class, its Dice for that class is 1 if the prediction
/// has none either (nothing to find, nothing found) and 0 if the prediction marks any voxel with it. So every class
/// always has a value, and the mean never divides by a varying count.
/// </remarks>
public sealed class DiceMetric
{
    private readonly double[] _sums;

    /// <summary>Starts an empty accumulation over <paramref name="classes"/> classes (background included).</summary>
    public DiceMetric(int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        _sums = new double[classes];
    }

    /// <summary>Number of classes, background included.</summary>
    public int Classes => _sums.Length;

    /// <summary>Volumes added so far.</summary>
    public int Volumes { get; private set; }

    /// <summary>Adds a batch of volumes.</summary>
    /// <param name="predicted">[B, spatial…] predicted class indices (e.g. <c>logits.argmax(1)</c>).</param>
    /// <param name="reference">[B, spatial…] reference class indices, same shape.</param>
    public void Add(Tensor predicted, Tensor reference)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(reference);
        if (!predicted.shape.SequenceEqual(reference.shape) || predicted.dim() < 2)
        {
            throw new ArgumentException(
                $"Expected predicted and reference label maps of the same shape [B, spatial…]; got [{string.Join(", ", predicted.shape)}] and [{string.Join(", ", reference.shape)}].",
                nameof(reference));
        }

        using var scope = NewDisposeScope();
        var batch = predicted.shape[0];
        var flatPredicted = predicted.reshape(batch, -1);
        var flatReference = reference.reshape(batch, -1);
        for (var c = 0; c < Classes; c++)
        {
            var isPredicted = flatPredicted.eq(c);
            var isReference = flatReference.eq(c);
            var overlap = (isPredicted & isReference).sum(1).data<long>().ToArray();
            var predictedCount = isPredicted.sum(1).data<long>().ToArray();
            var referenceCount = isReference.sum(1).data<long>().ToArray();
            for (var b = 0; b < batch; b++)
            {
                var both = predictedCount[b] + referenceCount[b];
                _sums[c] += both == 0 ? 1.0 : 2.0 * overlap[b] / both;
            }
        }

        Volumes += (int)batch;
    }

    /// <summary>
    /// The metric of every rank's volumes together: the per-class sums and volume counts of <paramref name="local"/>
    /// (<c>null</c> on a rank that scored no volume) are summed over the ranks. Every rank must call it.
    /// </summary>
    /// <exception cref="InvalidOperationException">No rank scored a volume, or the ranks scored different numbers of classes.</exception>
    internal static DiceMetric AllReduce(DiceMetric? local, IProcessGroup group)
    {
        using var scope = NewDisposeScope();
        var classes = tensor(new long[] { local?.Classes ?? 0 });
        group.AllReduce(classes, ReduceOperation.Max);
        var count = (int)classes.item<long>();
        if (count < 2 || (local is not null && local.Classes != count))
        {
            throw new InvalidOperationException(count < 2 ? "No rank scored a volume." : $"Rank {group.Rank} scored {local!.Classes} classes; another rank scored {count}.");
        }

        var values = new double[count + 1];
        local?._sums.CopyTo(values, 0);
        values[count] = local?.Volumes ?? 0;
        var reduced = tensor(values);
        group.AllReduce(reduced);
        var totals = reduced.data<double>().ToArray();
        var result = new DiceMetric(count) { Volumes = (int)totals[count] };
        Array.Copy(totals, result._sums, count);
        return result;
    }

    /// <summary>The scores of the volumes added so far.</summary>
    /// <exception cref="InvalidOperationException">No volume has been added.</exception>
    public DiceScore Compute()
    {
        if (Volumes == 0)
        {
            throw new InvalidOperationException("No volume has been added to the Dice metric.");
        }

        var perClass = _sums.Select(sum => sum / Volumes).ToArray();
        return new DiceScore(perClass, perClass.Skip(1).Average(), Volumes);
    }
}
