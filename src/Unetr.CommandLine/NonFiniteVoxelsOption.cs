using System;
using System.CommandLine;
using Unetr.Model.Data;

namespace Unetr.CommandLine;

/// <summary><c>--non-finite-voxels</c>, the same for <c>train</c>, <c>infer</c> and <c>evaluate</c>: what to do with NaN and infinite image voxels.</summary>
internal sealed class NonFiniteVoxelsOption
{
    private const string Refuse = "refuse";

    private const string Zero = "zero";

    public NonFiniteVoxelsOption() => Option.AcceptOnlyFromAmong(Refuse, Zero);

    /// <summary>The option, to add to a command.</summary>
    public Option<string> Option { get; } = new("--non-finite-voxels")
    {
        Description = "What to do with NaN or infinite image voxels: refuse the file (default) or replace them with zero, printing how many.",
        DefaultValueFactory = _ => Refuse,
    };

    /// <summary>The policy given, and whether it was given explicitly.</summary>
    public (NonFiniteVoxels Policy, bool Given) Read(ParseResult result) =>
        (result.GetValue(Option) == Zero ? NonFiniteVoxels.Zero : NonFiniteVoxels.Refuse, result.GetResult(Option) is { Implicit: false });

    /// <summary>Prints that <paramref name="count"/> voxels of <paramref name="path"/> were replaced.</summary>
    public static void Report(string path, long count) =>
        Console.WriteLine(FormattableString.Invariant($"Replaced {count:N0} non-finite voxels with 0 in {path} (--non-finite-voxels zero)."));
}
