using System;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Training;

/// <summary>
/// Tests that compare training runs step for step. libtorch's default generator is process-wide, so another test
/// drawing random numbers on a parallel thread would change weight initialisation or dropout mid-run; this
/// collection runs alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TrainingCollection : ICollectionFixture<SingleThreadedTorch>
{
    public const string Name = "Training runs";
}

/// <summary>
/// Runs the collection on one libtorch thread and restores the previous count afterwards. On a machine whose cores
/// are shared, two OpenMP threads on these tiny tensors made tests many times slower (docs/speed-notes.md).
/// </summary>
public sealed class SingleThreadedTorch : IDisposable
{
    private readonly int _previous = get_num_threads();

    public SingleThreadedTorch() => set_num_threads(1);

    public void Dispose() => set_num_threads(_previous);
}
