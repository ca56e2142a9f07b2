using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using Unetr.Model.Runtime;
using Unetr.Model.Training;
using static TorchSharp.torch;

namespace Unetr.Measurement.Speed;

/// <summary>Settings every timed run shares, so that two runs differ only in the code under test.</summary>
public static class BenchSettings
{
    /// <summary>Intra-op threads for TorchSharp and PyTorch alike.</summary>
    public const int Threads = 2;

    /// <summary>Seed for weights, inputs and labels.</summary>
    public const int Seed = 20260521;

    /// <summary>Samples per batch.</summary>
    public const long Batch = 1;

    /// <summary>Fixes threads and seeds; call before building anything that draws random numbers.</summary>
    public static void Apply()
    {
        torch.set_num_threads(Threads);
        torch.manual_seed(Seed);
    }
}

/// <summary>
/// One inference pass: eval mode, inference mode (no autograd bookkeeping at all), a fixed input. Weights stay
/// row-major: channels-last speeds up the backward pass, not this one (docs/speed-notes.md).
/// </summary>
public sealed class ForwardWorkload : IDisposable
{
    private readonly Tensor input;

    /// <summary>Builds a workload over <paramref name="network"/> with an input drawn from the current seed.</summary>
    public ForwardWorkload(nn.Module<Tensor, Tensor> network, BenchNetwork spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Network = network ?? throw new ArgumentNullException(nameof(network));
        Network.eval();
        input = torch.randn(spec.BatchShape(BenchSettings.Batch));
    }

    /// <summary>The network under test.</summary>
    public nn.Module<Tensor, Tensor> Network { get; }

    /// <summary>The input every <see cref="Run"/> uses.</summary>
    public Tensor Input => input;

    /// <summary>Runs one forward pass and returns the logits (the caller disposes them).</summary>
    public Tensor Run()
    {
        using var mode = torch.inference_mode();
        return Network.call(input);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        input.Dispose();
        Network.Dispose();
    }
}

/// <summary>
/// One optimisation step as <see cref="Trainer"/> takes it: channels-last convolution weights where they pay, forward in train mode,
/// cross-entropy over voxels, backward, AdamW step (<see cref="FlatAdamW"/>; the official recipe's lr 1e-4, weight
/// decay 1e-5, PyTorch's betas). Cross-entropy rather than DiceCE keeps the loss identical to
/// the PyTorch side's without porting a Dice implementation; the loss is a negligible share of the step.
/// </summary>
public sealed class TrainStepWorkload : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> network;
    private readonly Dictionary<long, (Tensor Input, Tensor Labels)> batches = new();
    private readonly long firstBatch;
    private readonly FlatAdamW optimizer;

    /// <summary>
    /// Builds a workload over <paramref name="network"/> with an input and labels per batch size in
    /// <paramref name="batchSizes"/> (<see cref="BenchSettings.Batch"/> when none), drawn in that order from the current seed.
    /// </summary>
    public TrainStepWorkload(nn.Module<Tensor, Tensor> network, BenchNetwork spec, params long[] batchSizes)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(batchSizes);
        this.network = network ?? throw new ArgumentNullException(nameof(network));
        if (batchSizes.Length == 0)
        {
            batchSizes = new[] { BenchSettings.Batch };
        }

        firstBatch = batchSizes[0];
        if (ChannelsLast.PaysForTraining(this.network, spec.BatchShape(firstBatch)))
        {
            ChannelsLast.ConvertForTraining(this.network);
        }

        this.network.train();
        foreach (var batch in batchSizes.Distinct())
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1, nameof(batchSizes));
            var shape = spec.BatchShape(batch);
            batches[batch] = (torch.randn(shape), torch.randint(spec.Classes, new long[] { shape[0] }.Concat(shape.Skip(2)).ToArray(), dtype: ScalarType.Int64));
        }

        optimizer = new FlatAdamW(this.network.parameters(), learningRate: 1e-4, weightDecay: 1e-5);
    }

    /// <summary>The input and the labels of batch size <paramref name="batch"/>.</summary>
    public (Tensor Input, Tensor Labels) Batch(long batch) =>
        batches.TryGetValue(batch, out var pair) ? pair : throw new ArgumentException($"This workload has no batch of {batch}; it has {string.Join(", ", batches.Keys)}.", nameof(batch));

    /// <summary>Runs one step on the first batch size and returns the loss before the update.</summary>
    public float Run() => Step(firstBatch, partEnded: null);

    /// <summary>Runs one step on the batch of size <paramref name="batch"/> and returns the loss before the update.</summary>
    public float Run(long batch) => Step(batch, partEnded: null);

    /// <summary>Runs one step and returns the seconds of its parts: zero_grad, forward with loss, backward, optimizer step.</summary>
    public double[] RunTimedParts()
    {
        var parts = new double[4];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Step(firstBatch, part =>
        {
            parts[part] = clock.Elapsed.TotalSeconds;
            clock.Restart();
        });
        return parts;
    }

    /// <summary>
    /// Runs one step on the first batch size and calls <paramref name="partEnded"/> with 0, 1, 2, 3 as zero_grad, forward
    /// with loss, backward and the optimizer step end (the step's tensors are alive until after the last call).
    /// </summary>
    public float Run(Action<int> partEnded) => Step(firstBatch, partEnded ?? throw new ArgumentNullException(nameof(partEnded)));

    /// <inheritdoc />
    public void Dispose()
    {
        optimizer.Dispose();
        foreach (var (input, labels) in batches.Values)
        {
            input.Dispose();
            labels.Dispose();
        }

        network.Dispose();
    }

    // One step; partEnded, when given, hears of each part's end (reading the loss marks the forward's end).
    private float Step(long batch, Action<int>? partEnded)
    {
        var (input, labels) = Batch(batch);
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        partEnded?.Invoke(0);
        var loss = nn.functional.cross_entropy(network.call(input), labels);
        var value = loss.item<float>();
        partEnded?.Invoke(1);
        loss.backward();
        partEnded?.Invoke(2);
        optimizer.step();
        partEnded?.Invoke(3);
        return value;
    }
}
