using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using Unetr.Model.Compiled;

namespace Unetr.Model.Presets;

/// <summary>A declared network known by name: its compile-time summary and a way to build it.</summary>
/// <param name="Name">The generated class's name.</param>
/// <param name="Summary">The compile-time summary (its <see cref="ModelSummary.InputShape"/> is the per-sample input shape).</param>
/// <param name="Create">Builds a freshly initialised instance.</param>
/// <param name="OutputShape">Per-sample output shape: classes, then spatial sizes.</param>
public sealed record Preset(string Name, ModelSummary Summary, Func<torch.nn.Module<torch.Tensor, torch.Tensor>> Create, IReadOnlyList<long> OutputShape)
{
    /// <summary>The generated class's full name (namespace, enclosing types), to tell apart two networks of one <see cref="Name"/>.</summary>
    public string FullName { get; init; } = Name;

    /// <summary>
    /// Set when this network is a variant that a <c>[Sweep]</c> declaration expanded: the baseline it derives from and the
    /// settings it changes. <c>null</c> for a network declared by hand (a baseline included).
    /// </summary>
    public SweepVariant? Sweep { get; init; }

    /// <summary>Describes the generated network <typeparamref name="TNet"/>.</summary>
    public static Preset Of<TNet>()
        where TNet : torch.nn.Module<torch.Tensor, torch.Tensor>, ICompiledNetwork, new() =>
        new(typeof(TNet).Name, TNet.Summary, () => new TNet(), TNet.OutputShape) { FullName = typeof(TNet).FullName ?? typeof(TNet).Name };
}

/// <summary>A sweep variant's origin: the baseline network's <see cref="Preset.Name"/> and what differs from it.</summary>
/// <param name="Baseline">The baseline's generated class name.</param>
/// <param name="Settings">The changed settings, in declaration order (one for a one-factor-at-a-time sweep, several in a grid).</param>
public sealed record SweepVariant(string Baseline, IReadOnlyList<SweepSetting> Settings)
{
    /// <summary>A short label such as <c>Depth=6</c> or <c>Depth=6, PatchSize=8</c>.</summary>
    public string Label => string.Join(", ", Settings.Select(s => $"{s.Property}={s.Value}"));
}

/// <summary>
/// One changed setting of a sweep variant: the attribute property's name (e.g. <c>Depth</c>; names are unique across the
/// DSL's attributes) and its value as C# shows it (<c>12</c>, <c>Batch</c>, <c>false</c>, <c>0.25</c>, <c>[8, 16, 32]</c>).
/// </summary>
public sealed record SweepSetting(string Property, string Value);

/// <summary>The networks shipped with Unetr, by name: the build-time catalog of this assembly's declarations.</summary>
public static class PresetCatalog
{
    /// <summary>Every preset, in declaration order.</summary>
    public static IReadOnlyList<Preset> All => DeclaredNetworks.All;

    /// <summary>The preset called <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">No preset has that name; the message lists the valid ones.</exception>
    public static Preset Find(string name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown model '{name}'; expected one of: {string.Join(", ", All.Select(p => p.Name))}.", nameof(name));
}
