using System;
using System.Collections.Generic;
using System.Linq;
using Unetr.Model.Presets;

namespace Unetr.CommandLine;

/// <summary>
/// The networks <c>--model</c> can name: the host's own declarations, then the presets. A declared network shadows a
/// preset of the same name (the user's project means its own class); two declared networks of one name are ambiguous
/// and named in full when asked for.
/// </summary>
internal sealed class ModelCatalog
{
    private readonly IReadOnlyList<Preset> declared;

    /// <summary>The catalog of <paramref name="declared"/> networks, in the order given, followed by the presets they do not shadow.</summary>
    public ModelCatalog(IEnumerable<Preset> declared)
    {
        this.declared = declared.ToArray();
        All = this.declared
            .Concat(PresetCatalog.All.Where(preset => !this.declared.Any(network => SameName(network.Name, preset.Name))))
            .ToArray();
    }

    /// <summary>The host's own networks (no presets), in the order given.</summary>
    public IReadOnlyList<Preset> Declared => declared;

    /// <summary>Every network, declared ones first.</summary>
    public IReadOnlyList<Preset> All { get; }

    /// <summary>The names, comma separated, for option descriptions and error messages.</summary>
    public string Names => string.Join(", ", All.Select(QualifiedName).Distinct(StringComparer.OrdinalIgnoreCase));

    /// <summary>The name a variant has in C#, <c>Baseline.Variant</c>; a network declared by hand keeps its class name.</summary>
    public static string QualifiedName(Preset network) => network.Sweep is { } sweep ? $"{sweep.Baseline}.{network.Name}" : network.Name;

    /// <summary>The network called <paramref name="name"/> (case-insensitive), a sweep variant also as <c>Baseline.Variant</c>.</summary>
    /// <exception cref="ArgumentException">No network has that name (the message lists the names), or two declared ones do (it names both in full).</exception>
    public Preset Find(string name)
    {
        var matches = All.Where(network => SameName(network.Name, name) || SameName(QualifiedName(network), name)).ToArray();
        return matches.Length switch
        {
            1 => matches[0],
            0 => throw new ArgumentException($"Unknown model '{name}'; expected one of: {Names}."),
            _ => throw new ArgumentException(
                $"'{name}' names {matches.Length} declared networks: {string.Join(", ", matches.Select(network => network.FullName))}; --model finds a network by its class name, so rename all but one."),
        };
    }

    private static bool SameName(string left, string right) => string.Equals(left, right, StringComparison.OrdinalIgnoreCase);
}
