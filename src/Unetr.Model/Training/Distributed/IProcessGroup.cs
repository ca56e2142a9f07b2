using static TorchSharp.torch;

namespace Unetr.Model.Training.Distributed;

/// <summary>How <see cref="IProcessGroup.AllReduce"/> combines the ranks' values.</summary>
public enum ReduceOperation
{
    /// <summary>Element-wise sum.</summary>
    Sum,

    /// <summary>Element-wise maximum.</summary>
    Max,
}

/// <summary>
/// The processes of one data-parallel run and the two collective operations training needs. Every rank must call
/// the same collectives in the same order with tensors of the same size; all calls come from one thread.
/// </summary>
public interface IProcessGroup
{
    /// <summary>This process's index, 0 to <see cref="Size"/> − 1.</summary>
    int Rank { get; }

    /// <summary>Number of processes.</summary>
    int Size { get; }

    /// <summary>Overwrites <paramref name="tensor"/> (float32, float64 or int64, any device) on every rank with rank <paramref name="root"/>'s values.</summary>
    void Broadcast(Tensor tensor, int root = 0);

    /// <summary>Replaces <paramref name="tensor"/> (float32, float64 or int64, any device) on every rank with the element-wise reduction over all ranks.</summary>
    void AllReduce(Tensor tensor, ReduceOperation operation = ReduceOperation.Sum);
}

/// <summary>Collectives over whole modules.</summary>
public static class ProcessGroupExtensions
{
    /// <summary>Overwrites every parameter and buffer of <paramref name="module"/> (its <c>state_dict</c>) with rank <paramref name="root"/>'s values. Every rank must call it with the same network.</summary>
    public static void BroadcastState(this IProcessGroup group, nn.Module module, int root = 0)
    {
        System.ArgumentNullException.ThrowIfNull(group);
        System.ArgumentNullException.ThrowIfNull(module);
        using var noGrad = no_grad();
        foreach (var (_, value) in module.state_dict())
        {
            group.Broadcast(value, root);
        }
    }
}
