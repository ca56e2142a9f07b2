using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using Unetr.Measurement.Speed;
using Unetr.Model.Compiled;
using static TorchSharp.torch;

namespace Unetr.Measurement.Ablation;

/// <summary>What an ablation variant changes relative to <see cref="AblationBaseline"/>.</summary>
public enum AblationFactor
{
    /// <summary>Nothing: the reference point.</summary>
    Baseline,

    /// <summary>Patch edge (and with it the token count and the number of decoder stages).</summary>
    PatchSize,

    /// <summary>Number of transformer blocks.</summary>
    Depth,

    /// <summary>Token width.</summary>
    EmbedDim,

    /// <summary>Decoder stage widths.</summary>
    DecoderWidths,

    /// <summary>Decoder normalisation (batch or instance).</summary>
    Norm,

    /// <summary>Decoder blocks (residual or plain).</summary>
    Blocks,

    /// <summary>Seed or MONAI layout.</summary>
    Layout,
}

/// <summary>One network of the ablation grid with its compile-time facts.</summary>
/// <param name="Name">The generated class's name.</param>
/// <param name="Factor">What it changes relative to the baseline.</param>
/// <param name="Change">The change in words, e.g. "patch 16 → 8".</param>
/// <param name="Summary">The generator's compile-time summary (parameters, MACs, input shape).</param>
/// <param name="OutputShape">Per-sample output shape: classes, then spatial sizes.</param>
/// <param name="Stages">Every named step of the forward with its per-sample shape (compile-time).</param>
/// <param name="Create">Builds the network with fresh weights drawn from libtorch's generator.</param>
public sealed record AblationVariant(
    string Name,
    AblationFactor Factor,
    string Change,
    ModelSummary Summary,
    IReadOnlyList<long> OutputShape,
    IReadOnlyList<StageShape> Stages,
    Func<nn.Module<Tensor, Tensor>> Create)
{
    /// <summary>Per-sample input shape: channels, then spatial sizes.</summary>
    public IReadOnlyList<long> InputShape => Summary.InputShape;

    /// <summary>Classes the network predicts.</summary>
    public long Classes => OutputShape[0];

    /// <summary>Describes the generated network <typeparamref name="TNet"/>.</summary>
    public static AblationVariant Of<TNet>(AblationFactor factor, string change)
        where TNet : nn.Module<Tensor, Tensor>, ICompiledNetwork, new() =>
        new(typeof(TNet).Name, factor, change, TNet.Summary, TNet.OutputShape, TNet.Stages, () => new TNet());

    /// <summary>The same network as the speed suites' workloads take it.</summary>
    public BenchNetwork ToBenchNetwork() => new(Name, InputShape, Classes, Summary.MultiplyAccumulates, Create);
}

/// <summary>
/// The declared ablation grid: the baseline first, then one variant per changed factor value, in the order of the
/// baseline's [Sweep]s (the variants are the classes they expand to; a test checks this list against the catalog).
/// </summary>
public static class AblationGrid
{
    /// <summary>Every variant, baseline first, in a stable order.</summary>
    public static IReadOnlyList<AblationVariant> All { get; } = new[]
    {
        AblationVariant.Of<AblationBaseline>(AblationFactor.Baseline, "MONAI, patch 16, embed 384, depth 6, widths 8-64, instance norm, residual"),
        AblationVariant.Of<AblationBaseline.PatchSize8>(AblationFactor.PatchSize, "patch 16 → 8 (64 tokens, 3 decoder stages)"),
        AblationVariant.Of<AblationBaseline.PatchSize32>(AblationFactor.PatchSize, "patch 16 → 32 (1 token, 5 decoder stages)"),
        AblationVariant.Of<AblationBaseline.Depth12>(AblationFactor.Depth, "depth 6 → 12"),
        AblationVariant.Of<AblationBaseline.EmbedDim768>(AblationFactor.EmbedDim, "embed 384 → 768 (MLP 3072)"),
        AblationVariant.Of<AblationBaseline.Widths4_8_16_32>(AblationFactor.DecoderWidths, "widths halved (4-32)"),
        AblationVariant.Of<AblationBaseline.Widths16_32_64_128>(AblationFactor.DecoderWidths, "widths doubled (16-128)"),
        AblationVariant.Of<AblationBaseline.NormBatch>(AblationFactor.Norm, "instance → batch norm"),
        AblationVariant.Of<AblationBaseline.ResidualFalse>(AblationFactor.Blocks, "residual → plain blocks"),
        AblationVariant.Of<AblationBaseline.LayoutSeed>(AblationFactor.Layout, "MONAI → seed layout"),
    };

    /// <summary>
    /// The variants named in <paramref name="names"/> (case-insensitive), in grid order; every variant when
    /// <paramref name="names"/> is empty.
    /// </summary>
    /// <exception cref="ArgumentException">A name matches no variant; the message lists the valid ones.</exception>
    public static IReadOnlyList<AblationVariant> Select(IReadOnlyCollection<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var unknown = names.Where(name => !All.Any(v => Matches(v, name))).ToArray();
        if (unknown.Length > 0)
        {
            throw new ArgumentException(
                $"Unknown variant '{unknown[0]}'; expected one of: {string.Join(", ", All.Select(v => v.Name))}.", nameof(names));
        }

        return names.Count == 0 ? All : All.Where(v => names.Any(name => Matches(v, name))).ToArray();
    }

    private static bool Matches(AblationVariant variant, string name) => string.Equals(variant.Name, name, StringComparison.OrdinalIgnoreCase);
}
