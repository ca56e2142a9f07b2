using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using Unetr.Model.Data;
using Unetr.Model.Presets;
using Unetr.Model.Training;
using Unetr.Model.Training.Distributed;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Distributed;

/// <summary>
/// Validation sharded across ranks scores every volume once: rank 1's half is run first and its reductions recorded,
/// then rank 0's half is run with rank 1's recorded values as the peer's, as MPI would combine them.
/// </summary>
[Collection(MpiCollection.Name)]
public sealed class ShardedEvaluationTests
{
    [Fact]
    public void Two_ranks_scoring_alternate_volumes_reduce_to_the_score_of_all_volumes()
    {
        using var network = new TinyMonaiUnetr();
        var volumes = SyntheticDataset.Validation(3, 32);
        var whole = SegmentationEvaluator.Evaluate(network, TinyMonaiUnetr.InputShape, volumes);

        var rankOne = new ReplayedPeerGroup(rank: 1, peer: null);
        SegmentationEvaluator.Evaluate(network, TinyMonaiUnetr.InputShape, volumes, group: rankOne);
        var sharded = SegmentationEvaluator.Evaluate(network, TinyMonaiUnetr.InputShape, volumes, group: new ReplayedPeerGroup(rank: 0, peer: rankOne.Sent));

        Assert.Equal(3, whole.Volumes);
        Assert.Equal(3, sharded.Volumes);
        Assert.Equal(whole.PerClass.Count, sharded.PerClass.Count);
        for (var c = 0; c < whole.PerClass.Count; c++)
        {
            Assert.Equal(whole.PerClass[c], sharded.PerClass[c], 12);
        }

        Assert.Equal(whole.Mean, sharded.Mean, 12);
    }

    /// <summary>
    /// Rank <c>rank</c> of two whose peer's contributions to each allreduce were recorded beforehand (<c>null</c>: the
    /// peer is taken to contribute nothing, 0 for a sum and no change for a maximum). Records what this rank sends.
    /// </summary>
    private sealed class ReplayedPeerGroup(int rank, IReadOnlyList<double[]>? peer) : IProcessGroup
    {
        public List<double[]> Sent { get; } = new();

        public int Rank => rank;

        public int Size => 2;

        public void Broadcast(Tensor tensor, int root = 0) => throw new NotSupportedException("Evaluation only reduces.");

        public void AllReduce(Tensor tensor, ReduceOperation operation = ReduceOperation.Sum)
        {
            using var scope = NewDisposeScope();
            var mine = tensor.to_type(ScalarType.Float64).data<double>().ToArray();
            var theirs = peer?[Sent.Count];
            Sent.Add(mine);
            if (theirs is null)
            {
                return;
            }

            var combined = mine.Zip(theirs, (a, b) => operation == ReduceOperation.Sum ? a + b : Math.Max(a, b)).ToArray();
            tensor.copy_(torch.tensor(combined).to_type(tensor.dtype));
        }
    }
}
