using System;
using System.Collections.Generic;

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
}
