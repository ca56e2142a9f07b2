using Xunit;

namespace Unetr.Tests.Training;

/// <summary>
/// Tests that compare training runs step for step. libtorch's default generator is process-wide, so another test
/// drawing random numbers on a parallel thread would change weight initialisation or dropout mid-run; this
/// collection runs alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TrainingCollection
{
    public const string Name = "Training runs";
}
