using Xunit;

namespace Unetr.Tests.Packaging;

/// <summary>
/// Tests that run <c>dotnet build</c>, <c>pack</c> or <c>run</c> on projects of this repository. Two builds of the same
/// project at once would write the same <c>obj</c> files, so these tests run one at a time.
/// </summary>
[CollectionDefinition(Name)]
public sealed class DotnetBuildCollection
{
    public const string Name = "dotnet builds of the repository";
}
