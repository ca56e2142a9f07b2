using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Unetr.Tests.Fuzzing;

/// <summary>
/// A declaration being fuzzed: the numbers of the valid network it started as (so that a mutation knows what breaks
/// it) and the attribute arguments as source text (so that a mutation can write anything, valid C# or not).
/// </summary>
internal sealed class Draft
{
    public const string Unetr = "Unetr";
    public const string Patch = "PatchEmbedding";
    public const string Encoder = "Encoder";
    public const string Decoder = "Decoder";

    public bool Seed { get; set; }

    public int[] Image { get; set; } = System.Array.Empty<int>();

    public int PatchSize { get; set; }

    public int Stages { get; set; }

    public int Embed { get; set; }

    public int Depth { get; set; }

    public int Heads { get; set; }

    public int[] Widths { get; set; } = System.Array.Empty<int>();

    /// <summary>Arguments as written, per attribute; an attribute is applied iff it has an entry.</summary>
    public Dictionary<string, Dictionary<string, string>> Attributes { get; } = new()
    {
        [Unetr] = new(),
        [Patch] = new(),
        [Encoder] = new(),
        [Decoder] = new(),
    };

    /// <summary>[Sweep] attributes as written inside the brackets, e.g. <c>Sweep(nameof(EncoderAttribute.Depth), 7)</c>.</summary>
    public List<string> Sweeps { get; } = new();

    /// <summary>Whether the class also has [SweepGrid].</summary>
    public bool Grid { get; set; }

    /// <summary>Modifiers before <c>class</c>; must contain <c>partial</c> for a valid declaration.</summary>
    public string Modifiers { get; set; } = "public partial";

    /// <summary>Written after the class name: type parameters, base list.</summary>
    public string AfterName { get; set; } = string.Empty;

    /// <summary>The kind of type declaration: <c>class</c> normally.</summary>
    public string TypeKeyword { get; set; } = "class";

    /// <summary>Enclosing type declarations, outermost first, e.g. <c>public static partial class Outer00042</c>.</summary>
    public List<string> Outers { get; } = new();

    /// <summary>Identifier as written (may be a verbatim keyword such as <c>@event</c>).</summary>
    public string Identifier { get; set; } = "Net";

    /// <summary>Whether the attributes are split over two partial declarations of the class in the same file.</summary>
    public bool SplitPartials { get; set; }

    /// <summary>Sets an argument of an applied attribute; a no-op once a mutation has removed the attribute, so that it stays removed.</summary>
    public void Set(string attribute, string argument, string value)
    {
        if (Attributes.TryGetValue(attribute, out var arguments))
        {
            arguments[argument] = value;
        }
    }

    public void Set(string attribute, string argument, int value) => Set(attribute, argument, Int(value));

    public void Remove(string attribute, string argument)
    {
        if (Attributes.TryGetValue(attribute, out var arguments))
        {
            arguments.Remove(argument);
        }
    }

    public bool Has(string attribute, string argument) => Attributes.TryGetValue(attribute, out var args) && args.ContainsKey(argument);

    public static string Int(int value) => value switch
    {
        int.MaxValue => "int.MaxValue",
        int.MinValue => "int.MinValue",
        _ => value.ToString(CultureInfo.InvariantCulture),
    };

    public static string Double(double value) => value switch
    {
        double.NaN => "double.NaN",
        double.PositiveInfinity => "double.PositiveInfinity",
        double.NegativeInfinity => "double.NegativeInfinity",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    /// <summary>An int array in one of the three spellings C# allows in an attribute.</summary>
    public static string Array(IEnumerable<int> values, int spelling)
    {
        var items = string.Join(", ", values.Select(Int));
        return (spelling % 3, items.Length) switch
        {
            (0, 0) => "new int[0]",
            (0, _) => "new[] { " + items + " }",
            (1, _) => "new int[] { " + items + " }",
            _ => "[" + items + "]",
        };
    }
}
