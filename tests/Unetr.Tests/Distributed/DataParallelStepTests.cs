using System;
using System.Collections.Generic;
using System.Linq;
using Unetr.Model.Data;
using Unetr.Model.Training;
using Unetr.Model.Training.Distributed;
using Unetr.Tests.Training;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Distributed;

/// <summary>
/// The collectives of a data-parallel step, seen from rank 1 of 2 with a peer that holds the same values (so broadcasts
/// change nothing and a sum doubles): BatchNorm buffers come from rank 0 before every forward pass, as DDP's
/// <c>broadcast_buffers=True</c>, and the gradients are averaged once per step.
/// </summary>
[Collection(TrainingCollection.Name)]
public sealed class DataParallelStepTests
{
    private static readonly TrainingOptions Options = new() { Steps = 10, BatchSize = 2, LearningRate = 3e-3, WarmupSteps = 1, Seed = 11 };

    [Fact]
    public void Every_step_takes_the_BatchNorm_statistics_of_rank_zero_then_averages_the_loss_and_the_gradients()
    {
        var group = new MirroredPeerGroup();
        using var trainer = new Trainer(() => new TrainableTinyNet(), TrainableTinyNet.InputShape, SyntheticDataset.Training(4, 16), Options, group);
        var statistics = trainer.Model.named_modules()
            .Where(m => m.module is TorchSharp.Modules.BatchNorm3d)
            .SelectMany(m => m.module.named_buffers().Select(b => Pointer(b.buffer)))
            .ToHashSet();
        var parameters = trainer.Model.parameters().Sum(p => p.numel());
        Assert.NotEmpty(statistics);
        Assert.Equal(1, trainer.ShardSize);
        group.Calls.Clear();

        const int steps = 3;
        for (var i = 0; i < steps; i++)
        {
            trainer.TrainStep();
        }

        var perStep = group.Calls.Count / steps;
        Assert.Equal(steps * perStep, group.Calls.Count);
        for (var i = 0; i < steps; i++)
        {
            var step = group.Calls.Skip(i * perStep).Take(perStep).ToArray();
            var broadcasts = step.TakeWhile(c => c.Broadcast).ToArray();
            Assert.Superset(statistics, broadcasts.Select(c => c.Pointer).ToHashSet());
            Assert.Subset(statistics, broadcasts.Select(c => c.Pointer).ToHashSet());
            Assert.Equal(new[] { (false, 1L), (false, parameters) }, step.Skip(broadcasts.Length).Select(c => (c.Broadcast, c.Elements)));
        }
    }

    private static IntPtr Pointer(Tensor tensor) => tensor.dtype == ScalarType.Int64 ? tensor.storage<long>().data_ptr() : tensor.storage<float>().data_ptr();

    private sealed class MirroredPeerGroup : IProcessGroup
    {
        public List<(bool Broadcast, IntPtr Pointer, long Elements)> Calls { get; } = new();

        public int Rank => 1;

        public int Size => 2;

        public void Broadcast(Tensor tensor, int root = 0) => Calls.Add((true, Pointer(tensor), tensor.numel()));

        public void AllReduce(Tensor tensor, ReduceOperation operation = ReduceOperation.Sum)
        {
            Calls.Add((false, IntPtr.Zero, tensor.numel()));
            if (operation == ReduceOperation.Sum)
            {
                using (no_grad())
                {
                    tensor.mul_(2);
                }
            }
        }
    }
}
