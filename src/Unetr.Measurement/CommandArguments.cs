using System;
using System.Collections.Generic;
using System.Linq;

namespace Unetr.Measurement;

/// <summary>Option look-up for the measurement verbs (<c>speed</c>, <c>memory</c>), which take a few <c>--name value</c> pairs.</summary>
public static class CommandArguments
{
    /// <summary>The value after <paramref name="name"/>, or <c>null</c> when the option is absent.</summary>
    /// <exception cref="ArgumentException">The option is the last argument, with no value after it.</exception>
    public static string? Option(IReadOnlyList<string> args, string name)
    {
        ArgumentNullException.ThrowIfNull(args);
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == name)
            {
                return i + 1 < args.Count ? args[i + 1] : throw new ArgumentException($"{name} needs a value.");
            }
        }

        return null;
    }

    /// <summary>
    /// The comma-separated choices after <paramref name="name"/>, each one of <paramref name="known"/>; all of them when
    /// the option is absent.
    /// </summary>
    /// <exception cref="ArgumentException">A choice is not known, or the list is empty.</exception>
    public static string[] Choices(IReadOnlyList<string> args, string name, IReadOnlyList<string> known)
    {
        ArgumentNullException.ThrowIfNull(known);
        var chosen = (Option(args, name) ?? string.Join(",", known))
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = Array.FindAll(chosen, choice => !known.Contains(choice));
        if (unknown.Length > 0 || chosen.Length == 0)
        {
            throw new ArgumentException($"{name} takes a comma list of {string.Join(", ", known)}; got '{string.Join(",", unknown)}'.");
        }

        return chosen;
    }
}
