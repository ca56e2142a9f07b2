using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace Unetr.Tests.Fuzzing;

/// <summary>
/// Builds random UNETR declarations from one seeded <see cref="Random"/>: a valid network first (its numbers drawn so
/// that every rule holds), then, by kind, extreme sizes, known mistakes or broken user code on top. Starting from a
/// valid network is what makes an oracle possible: a single injected mistake must give exactly its own diagnostic.
/// </summary>
internal sealed partial class DeclarationFuzzer
{
    private static readonly int[] PatchSizes = { 4, 8, 16, 32 };
    // Not "out": that is also the name of MONAI's output layer, which a class may not take (UNETR020).
    private static readonly string[] Keywords = { "event", "class", "operator", "base", "checked" };
    private readonly Random random;

    public DeclarationFuzzer(int seed) => random = new Random(seed);

    public FuzzCase Next(int index)
    {
        var tiny = random.NextDouble() < 0.3;
        var draft = ValidBase(tiny);
        var notes = new List<string>();
        string? expected = null;
        FuzzKind kind;
        var roll = random.NextDouble();
        if (roll < 0.33)
        {
            kind = FuzzKind.Valid;
            if (random.NextDouble() < 0.3)
            {
                ValidSweeps(draft, notes);
            }
        }
        else if (roll < 0.45)
        {
            kind = FuzzKind.Extreme;
            tiny = false;
            for (var n = random.Next(1, 3); n > 0; n--)
            {
                Extreme(draft, notes);
            }
        }
        else if (roll < 0.97)
        {
            kind = FuzzKind.Invalid;
            tiny = false;
            var mistakes = random.NextDouble() < 0.65 ? 1 : random.Next(2, 4);
            for (var n = 0; n < mistakes; n++)
            {
                var id = Mutate(draft, notes);
                expected = mistakes == 1 ? id : null;
            }
        }
        else
        {
            kind = FuzzKind.Malformed;
            tiny = false;
            Malform(draft, notes);
        }

        tiny &= !draft.Modifiers.Contains("abstract", StringComparison.Ordinal);
        return Render(index, draft, kind, expected, tiny, notes);
    }

    private Draft ValidBase(bool tiny)
    {
        var d = new Draft { Seed = random.Next(2) == 1 };
        if (d.Seed)
        {
            d.Set(Draft.Unetr, "Layout", Pick("UnetrLayout.Seed", "Unetr.Dsl.UnetrLayout.Seed", "(UnetrLayout)1"));
        }
        else if (Coin())
        {
            d.Set(Draft.Unetr, "Layout", Pick("UnetrLayout.Monai", "(UnetrLayout)0"));
        }

        var dims = random.Next(2, 4);
        d.PatchSize = tiny ? Pick(4, 8, 16) : Pick(PatchSizes);
        d.Stages = (int)Math.Log2(d.PatchSize);
        var maxMultiple = tiny ? 32 / d.PatchSize : dims == 3 ? 6 : 12;
        d.Image = Enumerable.Range(0, dims).Select(_ => d.PatchSize * random.Next(1, maxMultiple + 1)).ToArray();
        d.Set(Draft.Unetr, "ImageSize", Draft.Array(d.Image, random.Next(3)));
        if (random.NextDouble() < 0.25)
        {
            d.Set(Draft.Unetr, "SpatialDims", dims);
        }

        d.Set(Draft.Unetr, "InChannels", random.Next(1, tiny ? 4 : 17));
        d.Set(Draft.Unetr, "OutChannels", random.Next(1, tiny ? 5 : 33));

        if (d.PatchSize != 16 || Coin())
        {
            d.Set(Draft.Patch, "PatchSize", d.PatchSize);
        }

        if (Coin())
        {
            d.Set(Draft.Patch, "Projection", d.Seed || Coin() ? "PatchProjection.Conv" : "PatchProjection.Perceptron");
        }

        if (!tiny && random.NextDouble() < 0.15)
        {
            // The Encoder defaults (768, 12 blocks, 12 heads) are themselves a valid network.
            (d.Embed, d.Depth, d.Heads) = (768, 12, 12);
        }
        else
        {
            d.Heads = random.Next(1, tiny ? 5 : 17);
            d.Embed = d.Heads * (tiny ? Pick(2, 4, 8) : random.Next(1, 65));
            d.Depth = d.Stages + random.Next(0, tiny ? 3 : 9);
            d.Set(Draft.Encoder, "EmbedDim", d.Embed);
            d.Set(Draft.Encoder, "Heads", d.Heads);
            d.Set(Draft.Encoder, "Depth", d.Depth);
        }

        if (Coin())
        {
            d.Set(Draft.Encoder, "MlpDim", random.Next(1, (tiny ? 2 : 4) * d.Embed + 1));
        }

        if (Coin())
        {
            d.Set(Draft.Encoder, "ExtractLayers", Draft.Array(ExtractLayers(d.Depth, d.Stages), random.Next(3)));
        }

        if (Coin())
        {
            d.Set(Draft.Encoder, "Dropout", Pick("0", "0.1", "0.25", "1", "1e-9", "0.5f", "0.0"));
        }

        MaybeSet(d, Draft.Encoder, "FinalNorm", "true", "false");
        MaybeSet(d, Draft.Encoder, "QkvBias", d.Seed ? new[] { "true" } : new[] { "true", "false" });
        MaybeSet(d, Draft.Encoder, "Activation", "MlpActivation.Gelu", "MlpActivation.Relu");

        d.Widths = Enumerable.Range(0, d.Stages).Select(_ => random.Next(1, tiny ? 9 : 65)).ToArray();
        d.Set(Draft.Decoder, "Widths", Draft.Array(d.Widths, random.Next(3)));
        if (d.Seed && Coin())
        {
            d.Set(Draft.Decoder, "StemWidth", random.Next(1, tiny ? 9 : 65));
        }

        MaybeSet(d, Draft.Decoder, "Norm", d.Seed ? new[] { "NormKind.Batch" } : new[] { "NormKind.Batch", "NormKind.Instance" });
        MaybeSet(d, Draft.Decoder, "Residual", d.Seed ? new[] { "false" } : new[] { "true", "false" });

        ValidClassShape(d);
        return d;
    }

    /// <summary>Everything a valid declaration may look like around its attributes.</summary>
    private void ValidClassShape(Draft d)
    {
        d.Modifiers = Pick("public partial", "partial", "internal partial", "public sealed partial", "sealed partial", "public abstract partial");
        d.Identifier = random.NextDouble() < 0.05 ? "@" + Pick(Keywords) : "Net";
        d.SplitPartials = random.NextDouble() < 0.1;
        var outers = random.NextDouble() < 0.25 ? random.Next(1, 3) : 0;
        for (var i = 0; i < outers; i++)
        {
            d.Outers.Add(Pick("public partial class", "public static partial class", "internal partial struct", "public partial record", "public partial record struct", "public partial interface"));
        }
    }

    private FuzzCase Render(int index, Draft d, FuzzKind kind, string? expected, bool tiny, List<string> notes)
    {
        var customName = d.Identifier != "Net";
        var className = customName ? d.Identifier.TrimStart('@') : $"Net{index:D5}";
        var identifier = customName ? d.Identifier : className;
        var namespaceName = $"N{index:D5}";
        var token = customName ? namespaceName : className;
        var fileLocal = d.Modifiers.StartsWith("file", StringComparison.Ordinal);

        // A class with a fixed name needs its own namespace to stay unique in the batch; so does a file-local one.
        var style = customName || fileLocal ? random.Next(1, 4) : random.Next(4);

        // A keyword segment (written @event) reaches the generator as "event"; the hint name and the generated namespace differ.
        var root = random.NextDouble() < 0.05 ? "Fuzz.@" + Pick(Keywords) : "Fuzz";
        var text = new StringBuilder();
        text.Append("// Fuzz case ").Append(index).Append(" (").Append(kind).Append(": ").Append(string.Join("; ", notes)).AppendLine(")");
        text.AppendLine("using Unetr.Dsl;");
        var closers = new Stack<string>();
        switch (style)
        {
            case 1:
                text.AppendLine($"namespace {root}.{namespaceName};");
                break;
            case 2:
                text.AppendLine($"namespace {root}.{namespaceName}").AppendLine("{");
                closers.Push("}");
                break;
            case 3:
                text.AppendLine($"namespace {root}").AppendLine("{").AppendLine($"namespace {namespaceName}").AppendLine("{");
                closers.Push("}");
                closers.Push("}");
                break;
        }

        for (var i = 0; i < d.Outers.Count; i++)
        {
            var outer = d.Outers[i];
            var typeParameters = outer.EndsWith("<T>", StringComparison.Ordinal) ? "<T>" : string.Empty;
            text.AppendLine($"{outer[..^typeParameters.Length]} Outer{i}_{index:D5}{typeParameters}").AppendLine("{");
            closers.Push("}");
        }

        var attributes = d.Attributes.Keys.OrderBy(_ => random.Next()).ToList();
        var secondPart = d.SplitPartials && attributes.Count > 1 ? attributes.Skip(1 + random.Next(attributes.Count - 1)).ToList() : new List<string>();
        WriteAttributeLists(text, d, attributes.Except(secondPart).ToList());
        foreach (var sweep in d.Sweeps)
        {
            text.Append('[').Append(Pick(string.Empty, "Unetr.Dsl.", "global::Unetr.Dsl.")).Append(sweep).AppendLine("]");
        }

        if (d.Grid)
        {
            text.AppendLine(Pick("[SweepGrid]", "[SweepGridAttribute]", "[Unetr.Dsl.SweepGrid()]"));
        }
        text.Append($"{d.Modifiers} {d.TypeKeyword} {identifier}{d.AfterName}").AppendLine(Pick(";", " { }", "\n{\n}"));
        if (secondPart.Count > 0)
        {
            WriteAttributeLists(text, d, secondPart);
            text.AppendLine($"partial {d.TypeKeyword} {identifier}{d.AfterName.Split(':')[0].Split(" where")[0]};");
        }

        while (closers.Count > 0)
        {
            text.AppendLine(closers.Pop());
        }

        return new FuzzCase(index, $"Case{index:D5}.cs", text.ToString(), className, token, kind, expected, tiny, string.Join("; ", notes));
    }

    private void WriteAttributeLists(StringBuilder text, Draft d, List<string> attributes)
    {
        var i = 0;
        while (i < attributes.Count)
        {
            var take = random.Next(1, attributes.Count - i + 1);
            var items = attributes.Skip(i).Take(take).Select(a => Attribute(a, d.Attributes[a]));
            text.Append('[').Append(string.Join(", ", items)).AppendLine("]");
            i += take;
        }
    }

    private string Attribute(string name, Dictionary<string, string> arguments)
    {
        var spelled = Pick(name, name + "Attribute", "Unetr.Dsl." + name, "global::Unetr.Dsl." + name + "Attribute");
        if (arguments.Count == 0)
        {
            return spelled + Pick(string.Empty, "()");
        }

        return spelled + "(" + string.Join(", ", arguments.OrderBy(_ => random.Next()).Select(a => a.Key + " = " + a.Value)) + ")";
    }

    /// <summary>
    /// One to three [Sweep]s whose every value, and in a grid every combination, is a valid network that differs from the
    /// baseline: each factor changes something the others do not depend on.
    /// </summary>
    private void ValidSweeps(Draft d, List<string> notes)
    {
        var factors = new List<string>
        {
            "Sweep(nameof(EncoderAttribute.Dropout), 0.375" + Pick(string.Empty, ", 0.625") + ")",
            "Sweep(nameof(DecoderAttribute.Widths), " + Draft.Array(d.Widths.Select(w => w + 1), random.Next(2)) + ")",
            "Sweep(\"Unetr.OutChannels\", " + (int.Parse(d.Attributes[Draft.Unetr]["OutChannels"], System.Globalization.CultureInfo.InvariantCulture) + 1) + ")",
        };
        if (!d.Has(Draft.Encoder, "ExtractLayers"))
        {
            factors.Add("Sweep(\"Encoder.Depth\", " + (d.Depth + 1) + ")");
        }

        if (d.Heads != 1)
        {
            factors.Add("Sweep(nameof(EncoderAttribute.Heads), 1)");
        }

        d.Sweeps.AddRange(factors.OrderBy(_ => random.Next()).Take(random.Next(1, 4)));
        d.Grid = d.Sweeps.Count > 1 && Coin();
        notes.Add((d.Grid ? "grid " : "sweeps ") + string.Join(" ", d.Sweeps));
    }

    /// <summary>A strictly increasing 1-based list ending at <paramref name="depth"/>, the rest drawn below it.</summary>
    private int[] ExtractLayers(int depth, int stages)
    {
        var chosen = new SortedSet<int>();
        var below = depth - 1;
        while (chosen.Count < stages - 1)
        {
            // Depth may be huge: draw from the whole range without enumerating it.
            chosen.Add(1 + (int)(random.NextInt64(below)));
        }

        return chosen.Append(depth).ToArray();
    }

    private void MaybeSet(Draft d, string attribute, string argument, params string[] values)
    {
        if (Coin())
        {
            d.Set(attribute, argument, Pick(values));
        }
    }

    private bool Coin() => random.Next(2) == 0;

    private T Pick<T>(params T[] options) => options[random.Next(options.Length)];
}
