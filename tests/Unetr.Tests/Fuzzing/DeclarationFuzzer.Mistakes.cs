using System;
using System.Collections.Generic;
using System.Linq;

namespace Unetr.Tests.Fuzzing;

/// <summary>What the fuzzer does to a valid draft: extreme sizes, known mistakes, broken user code.</summary>
internal sealed partial class DeclarationFuzzer
{
    /// <summary>Sizes at the edge of what fits: valid, unless a count overflows 64 bits (UNETR018).</summary>
    private void Extreme(Draft d, List<string> notes)
    {
        var big = Pick(int.MaxValue, 1 << 30, 1 << 20, 65536);
        switch (random.Next(8))
        {
            case 0:
                d.Set(Draft.Unetr, "InChannels", big);
                notes.Add("InChannels=" + big);
                break;
            case 1:
                d.Set(Draft.Unetr, "OutChannels", big);
                notes.Add("OutChannels=" + big);
                break;
            case 2:
                d.Embed = big;
                d.Heads = Pick(1, big);
                d.Set(Draft.Encoder, "EmbedDim", big);
                d.Set(Draft.Encoder, "Heads", d.Heads);
                notes.Add($"EmbedDim={big},Heads={d.Heads}");
                break;
            case 3:
                d.Depth = big;
                d.Set(Draft.Encoder, "Depth", big);
                if (Coin())
                {
                    d.Remove(Draft.Encoder, "ExtractLayers");
                }
                else
                {
                    d.Set(Draft.Encoder, "ExtractLayers", Draft.Array(ExtractLayers(big, d.Stages), random.Next(3)));
                }

                notes.Add("Depth=" + big);
                break;
            case 4:
                d.Set(Draft.Encoder, "MlpDim", big);
                notes.Add("MlpDim=" + big);
                break;
            case 5:
                var widths = d.Widths.ToArray();
                widths[random.Next(widths.Length)] = big;
                d.Set(Draft.Decoder, "Widths", Draft.Array(widths, random.Next(3)));
                notes.Add("Widths=" + string.Join("/", widths));
                break;
            case 6:
                var image = d.Image.ToArray();
                image[random.Next(image.Length)] = big / d.PatchSize * d.PatchSize;
                d.Image = image;
                d.Set(Draft.Unetr, "ImageSize", Draft.Array(image, random.Next(3)));
                notes.Add("ImageSize=" + string.Join("/", image));
                break;
            default:
                if (d.Seed)
                {
                    d.Set(Draft.Decoder, "StemWidth", big);
                    notes.Add("StemWidth=" + big);
                }
                else
                {
                    var dropout = Pick("1.0", "0", "double.Epsilon", "-0.0", "1e-300");
                    d.Set(Draft.Encoder, "Dropout", dropout);
                    notes.Add("Dropout=" + dropout);
                }

                break;
        }
    }

    /// <summary>Injects one known mistake into a valid draft; returns the diagnostic it must cause on its own.</summary>
    private string Mutate(Draft d, List<string> notes)
    {
        var (id, note) = random.Next(30) switch
        {
            0 => ("UNETR001", NotPartial(d)),
            1 => ("UNETR002", Generic(d)),
            2 => ("UNETR003", Remove(d, Pick(Draft.Patch, Draft.Encoder, Draft.Decoder))),
            3 => ("UNETR004", RemoveRequired(d)),
            4 => ("UNETR005", Set(d, Draft.Unetr, "ImageSize", Pick("null", "new int[0]", "[]", Draft.Array(new[] { 32 }, random.Next(3)), Draft.Array(new[] { 32, 32, 32, 32 }, random.Next(3))))),
            5 => ("UNETR006", Set(d, Draft.Unetr, "SpatialDims", Draft.Int(Pick(0, 1, 4, -3, int.MaxValue, 5 - d.Image.Length)))),
            6 => ("UNETR007", Set(d, Draft.Patch, "PatchSize", Draft.Int(Pick(0, -16, 1, 2, 3, 6, 12, 64, 128, int.MaxValue, int.MinValue)))),
            7 => ("UNETR008", NotDivisible(d)),
            8 => ("UNETR009", HeadsNotDividing(d)),
            9 => ("UNETR010", ExtractCount(d)),
            10 => ("UNETR011", ExtractOutOfRange(d)),
            11 => ("UNETR012", ExtractOutOfOrder(d)),
            12 => ("UNETR013", ExtractLastNotDepth(d)),
            13 => ("UNETR014", WidthCount(d)),
            14 or 15 => ("UNETR015", NotPositive(d)),
            16 => ("UNETR016", Set(d, Draft.Encoder, "Dropout", Draft.Double(Pick(-0.1, 1.5, double.NaN, double.PositiveInfinity, double.NegativeInfinity, -1e-300, 1.0000001)))),
            17 => ("UNETR017", LayoutCannotExpress(d)),
            18 => ("UNETR018", TooLarge(d)),
            19 or 20 => ("UNETR019", UndefinedEnum(d)),
            21 or 22 or 23 => ("UNETR020", NotExtensible(d)),
            24 => ("UNETR021", AddSweep(d, Pick("Sweep(\"Depht\", 7)", "Sweep(\"Decoder.Depth\", 7)", "Sweep(\"\", 1)", "Sweep(null, 1)"))),
            25 => ("UNETR022", AddSweep(d, Pick("Sweep(nameof(EncoderAttribute.Depth), \"7\")", "Sweep(nameof(DecoderAttribute.Norm), 1)", "Sweep(nameof(DecoderAttribute.Widths), 8)", "Sweep(nameof(EncoderAttribute.Dropout), true)"))),
            // Heads above EmbedDim never divide it: the variant breaks UNETR009, reported on the value as UNETR023.
            26 => ("UNETR023", AddSweep(d, $"Sweep(nameof(EncoderAttribute.Heads), {d.Embed + 1})")),
            27 => ("UNETR024", AddSweep(d, "Sweep(nameof(EncoderAttribute.Dropout), 0.375, 0.375)")),
            28 => ("UNETR025", AddSweep(d, Pick($"Sweep(nameof(EncoderAttribute.Depth), {d.Depth})", "Sweep(nameof(EncoderAttribute.Depth))"))),
            _ => ("UNETR026", AddSweep(d, Pick("Sweep(nameof(EncoderAttribute.Dropout), 0.375, With = new object[] { \"Widths\" })", "Sweep(nameof(EncoderAttribute.Dropout), 0.375, With = new object[] { nameof(EncoderAttribute.Dropout), 0.5 })"))),
        };
        notes.Add(id + ":" + note);
        return id;
    }

    private static string NotPartial(Draft d)
    {
        if (d.Outers.Count > 0 && d.Identifier == "Net")
        {
            // A non-partial enclosing type: the error names that type, the class itself is fine.
            d.Outers[0] = "public class";
            return "outer not partial";
        }

        d.Modifiers = d.Modifiers.Replace("partial", string.Empty, StringComparison.Ordinal).Trim();
        d.SplitPartials = false;
        return "class not partial";
    }

    private string Generic(Draft d)
    {
        if (Coin())
        {
            d.Outers.Insert(0, "public partial class<T>");
            return "nested in generic";
        }

        d.AfterName = Pick("<T>", "<TIn, TOut>", "<T> where T : struct");
        return "generic";
    }

    private static string Remove(Draft d, string attribute)
    {
        d.Attributes.Remove(attribute);
        return "no [" + attribute + "]";
    }

    private string RemoveRequired(Draft d)
    {
        var (attribute, argument) = Pick((Draft.Unetr, "ImageSize"), (Draft.Unetr, "InChannels"), (Draft.Unetr, "OutChannels"), (Draft.Decoder, "Widths"));
        d.Remove(attribute, argument);
        if (argument == "ImageSize")
        {
            d.Remove(Draft.Unetr, "SpatialDims");
        }

        return "no " + argument;
    }

    private static string Set(Draft d, string attribute, string argument, string value)
    {
        d.Set(attribute, argument, value);
        return argument + "=" + value;
    }

    private string NotDivisible(Draft d)
    {
        var image = d.Image.ToArray();
        var axis = random.Next(image.Length);
        image[axis] += random.Next(1, d.PatchSize);
        d.Set(Draft.Unetr, "ImageSize", Draft.Array(image, random.Next(3)));
        return "ImageSize=" + string.Join("/", image);
    }

    private string HeadsNotDividing(Draft d)
    {
        int heads;
        do
        {
            heads = Coin() ? random.Next(2, 2 * d.Embed + 2) : Pick(int.MaxValue, d.Embed + 1, 1 << 30);
        }
        while (d.Embed % heads == 0);

        return Set(d, Draft.Encoder, "Heads", Draft.Int(heads));
    }

    private string ExtractCount(Draft d)
    {
        int count;
        do
        {
            count = random.Next(0, d.Stages + 3);
        }
        while (count == d.Stages);

        var layers = Enumerable.Range(1, count).Select(k => Math.Min(k, d.Depth)).ToArray();
        return Set(d, Draft.Encoder, "ExtractLayers", Draft.Array(layers, random.Next(3)));
    }

    private string ExtractOutOfRange(Draft d)
    {
        var layers = ExtractLayers(d.Depth, d.Stages);
        var i = random.Next(layers.Length);
        layers[i] = Pick(0, -1, d.Depth + 1, int.MaxValue, int.MinValue);
        return Set(d, Draft.Encoder, "ExtractLayers", Draft.Array(layers, random.Next(3)));
    }

    private string ExtractOutOfOrder(Draft d)
    {
        var layers = ExtractLayers(d.Depth, d.Stages);
        var i = random.Next(layers.Length - 1);
        if (Coin())
        {
            (layers[i], layers[i + 1]) = (layers[i + 1], layers[i]);
        }
        else
        {
            layers[i] = layers[i + 1];
        }

        return Set(d, Draft.Encoder, "ExtractLayers", Draft.Array(layers, random.Next(3)));
    }

    private string ExtractLastNotDepth(Draft d)
    {
        d.Set(Draft.Encoder, "ExtractLayers", Draft.Array(ExtractLayers(d.Depth, d.Stages), random.Next(3)));
        d.Depth += random.Next(1, 5);
        return Set(d, Draft.Encoder, "Depth", Draft.Int(d.Depth));
    }

    private string WidthCount(Draft d)
    {
        int count;
        do
        {
            count = random.Next(0, d.Stages + 3);
        }
        while (count == d.Stages);

        return Set(d, Draft.Decoder, "Widths", Coin() && count == 0 ? "null" : Draft.Array(Enumerable.Repeat(8, count), random.Next(3)));
    }

    private string NotPositive(Draft d)
    {
        var value = Pick(0, -1, int.MinValue);
        switch (random.Next(9))
        {
            case 0: return Set(d, Draft.Unetr, "InChannels", Draft.Int(value));
            case 1: return Set(d, Draft.Unetr, "OutChannels", Draft.Int(value));
            case 2: return Set(d, Draft.Encoder, "EmbedDim", Draft.Int(value));
            case 3: return Set(d, Draft.Encoder, "Depth", Draft.Int(value));
            case 4: return Set(d, Draft.Encoder, "Heads", Draft.Int(value));
            case 5: return Set(d, Draft.Encoder, "MlpDim", Draft.Int(value));
            case 6:
                var image = d.Image.ToArray();
                image[random.Next(image.Length)] = value;
                return Set(d, Draft.Unetr, "ImageSize", Draft.Array(image, random.Next(3)));
            case 7:
                var widths = d.Widths.ToArray();
                widths[random.Next(widths.Length)] = value;
                return Set(d, Draft.Decoder, "Widths", Draft.Array(widths, random.Next(3)));
            default:
                if (!d.Seed)
                {
                    goto case 0;
                }

                return Set(d, Draft.Decoder, "StemWidth", Draft.Int(value));
        }
    }

    private string LayoutCannotExpress(Draft d)
    {
        if (!d.Seed)
        {
            return Set(d, Draft.Decoder, "StemWidth", Draft.Int(random.Next(1, 32)));
        }

        return Pick(
            () => Set(d, Draft.Patch, "Projection", "PatchProjection.Perceptron"),
            () => Set(d, Draft.Decoder, "Norm", "NormKind.Instance"),
            () => Set(d, Draft.Decoder, "Residual", "true"),
            () => Set(d, Draft.Encoder, "QkvBias", "false"))();
    }

    private string TooLarge(Draft d)
    {
        var huge = (1 << 30) / d.PatchSize * d.PatchSize;
        var image = d.Image.Select(_ => huge).ToArray();
        return Set(d, Draft.Unetr, "ImageSize", Draft.Array(image, random.Next(3)));
    }

    /// <summary>An enum cast to a value the enum does not define: the attribute accepts it, the generator must not.</summary>
    private string UndefinedEnum(Draft d) => Pick(
        () => Set(d, Draft.Unetr, "Layout", Pick("(UnetrLayout)5", "(UnetrLayout)(-1)", "(UnetrLayout)2")),
        () => Set(d, Draft.Patch, "Projection", Pick("(PatchProjection)7", "(PatchProjection)(-1)")),
        () => Set(d, Draft.Encoder, "Activation", Pick("(MlpActivation)9", "(MlpActivation)2")),
        () => Set(d, Draft.Decoder, "Norm", Pick("(NormKind)7", "(NormKind)int.MaxValue", "(NormKind)2")))();

    /// <summary>A class the generator cannot add a base class and constructor to.</summary>
    private string NotExtensible(Draft d)
    {
        switch (random.Next(5))
        {
            case 0:
                d.Modifiers = "public static partial";
                return "static";
            case 4:
                // C# forbids a member named like its class, and these are the generated members' names.
                d.Identifier = d.Seed ? Pick("transformer", "decoder0", "decoder0_header", "Summary") : Pick("@out", "vit", "encoder1", "Stages", "forward");
                return "named " + d.Identifier;
            case 1:
                d.AfterName = Pick(" : System.Object", " : System.Exception", " : TorchSharp.torch.nn.Module");
                return "base class" + d.AfterName;
            case 2:
                d.TypeKeyword = Pick("record", "record class");
                return d.TypeKeyword;
            default:
                d.Modifiers = "file partial";
                d.Outers.Clear();
                d.SplitPartials = false;
                return "file-local";
        }
    }

    private static string AddSweep(Draft d, string sweep)
    {
        d.Sweeps.Add(sweep);
        return sweep;
    }

    /// <summary>User code that does not compile: the compiler reports it, the generator must only stay calm.</summary>
    private void Malform(Draft d, List<string> notes)
    {
        if (random.NextDouble() < 0.3)
        {
            var sweep = Pick(
                "Sweep(nameof(EncoderAttribute.Depth), UndefinedConstant)",
                "Sweep(42, 6)",
                "Sweep()",
                "Sweep(nameof(EncoderAttribute.Depth), 6, With = UndefinedThing)",
                "Sweep(nameof(EncoderAttribute.Depth), 6, With = new object[] { nameof(NoSuchAttribute.X), 1 })",
                "Sweep(nameof(DecoderAttribute.Widths), new[] { UndefinedConstant })");
            d.Sweeps.Add(sweep);
            notes.Add(sweep);
            return;
        }

        var (attribute, argument, value) = Pick(
            (Draft.Unetr, "InChannels", "\"one\""),
            (Draft.Unetr, "ImageSize", "new[] { 1.5, 2.5 }"),
            (Draft.Encoder, "Heads", "UndefinedConstant"),
            (Draft.Encoder, "Dropout", "\"none\""),
            (Draft.Patch, "PatchSize", "16L"),
            (Draft.Decoder, "Norm", "1"),
            (Draft.Decoder, "Widths", "new[] { \"a\" }"),
            (Draft.Encoder, "NoSuchArgument", "1"));
        d.Set(attribute, argument, value);
        notes.Add($"{argument}={value}");
    }
}
