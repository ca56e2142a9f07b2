namespace Unetr.Tests.Fuzzing;

/// <summary>What a fuzzed declaration was built to be, which decides what the generator must say about it.</summary>
internal enum FuzzKind
{
    /// <summary>Valid by construction: no diagnostics, and the generated code compiles cleanly.</summary>
    Valid,

    /// <summary>Valid except that some sizes are extreme: either clean, or exactly one UNETR018 (too large).</summary>
    Extreme,

    /// <summary>A valid declaration with one or more known mistakes injected: at least one UNETR error.</summary>
    Invalid,

    /// <summary>The user's own code does not compile (wrong argument types, unknown names): the generator must cope.</summary>
    Malformed,
}

/// <summary>One fuzzed declaration in its own file.</summary>
/// <param name="Index">Position in the run; with the seed, enough to reproduce the case.</param>
/// <param name="Path">File path in the batch compilation, unique per case.</param>
/// <param name="Source">The whole file.</param>
/// <param name="ClassName">The network class's metadata name (no <c>@</c>).</param>
/// <param name="Token">A namespace or class name segment unique to this case, for mapping generated files and types back.</param>
/// <param name="Kind">What it was built to be.</param>
/// <param name="ExpectedId">For a single injected mistake, the one diagnostic it must produce (exactly once); else null.</param>
/// <param name="Tiny">Small enough that a forward pass takes milliseconds.</param>
/// <param name="Mutations">Which mistakes or extremes were injected, for the failure report.</param>
internal sealed record FuzzCase(
    int Index,
    string Path,
    string Source,
    string ClassName,
    string Token,
    FuzzKind Kind,
    string? ExpectedId,
    bool Tiny,
    string Mutations);
