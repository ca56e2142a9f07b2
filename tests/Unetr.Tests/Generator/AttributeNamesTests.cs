using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Unetr.Generators;
using Unetr.Generators.Model;
using Unetr.Generators.Parsing;
using Xunit;

namespace Unetr.Tests.Generator;

/// <summary>
/// The generator cannot reference Unetr.Dsl, so it names the attribute arguments by string: these tests tie those
/// names to the attribute classes, so that renaming a property cannot silently stop the parser from reading it.
/// </summary>
public sealed class AttributeNamesTests
{
    private static readonly Assembly Dsl = typeof(Unetr.Dsl.UnetrAttribute).Assembly;

    /// <summary>The DSL's attribute classes, by short name (Unetr, PatchEmbedding, …).</summary>
    private static readonly Dictionary<string, Type> Attributes = Dsl.GetExportedTypes()
        .Where(t => t.Namespace == "Unetr.Dsl" && typeof(Attribute).IsAssignableFrom(t))
        .ToDictionary(t => t.Name[..^"Attribute".Length]);

    // Every argument the baseline sets is one the DSL requires or one that keeps the declaration small; all are valid.
    private static readonly Dictionary<string, Dictionary<string, string>> Baseline = new()
    {
        ["Unetr"] = new() { ["ImageSize"] = "new[] { 32, 32, 32 }", ["InChannels"] = "1", ["OutChannels"] = "3" },
        ["PatchEmbedding"] = new() { ["PatchSize"] = "16" },
        ["Encoder"] = new() { ["EmbedDim"] = "48", ["Depth"] = "4", ["Heads"] = "4", ["MlpDim"] = "96" },
        ["Decoder"] = new() { ["Widths"] = "new[] { 8, 16, 32, 64 }" },
    };

    public static TheoryData<string, string> SettableProperties
    {
        get
        {
            var data = new TheoryData<string, string>();
            // [Sweep] and [SweepGrid] declare variants, not the network: SweepTests cover what they change.
            foreach (var (attribute, type) in Attributes.Where(a => !a.Key.StartsWith("Sweep", StringComparison.Ordinal)).OrderBy(a => a.Key, StringComparer.Ordinal))
            {
                foreach (var property in Settable(type))
                {
                    data.Add(attribute, property.Name);
                }
            }

            return data;
        }
    }

    [Fact]
    public void Every_DSL_attribute_has_a_parser_argument_list_and_each_list_names_exactly_its_settable_properties()
    {
        var lists = typeof(AttributeNames).GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic)
            .ToDictionary(t => t.Name[..^"Arguments".Length]);

        Assert.Equal(Attributes.Keys.OrderBy(k => k, StringComparer.Ordinal), lists.Keys.OrderBy(k => k, StringComparer.Ordinal));
        foreach (var (attribute, list) in lists)
        {
            var read = list.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!);
            Assert.Equal(
                Settable(Attributes[attribute]).Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal),
                read.OrderBy(n => n, StringComparer.Ordinal));
        }
    }

    [Fact]
    public void A_sweep_can_vary_every_network_property_each_named_once_across_the_attributes()
    {
        var network = new[] { "Unetr", "PatchEmbedding", "Encoder", "Decoder" };
        // Checkpointing (encoder and decoder) changes how the backward pass is computed, not the network: no sweep varies it.
        var settable = network.SelectMany(a => Settable(Attributes[a]).Where(p => p.Name != "Checkpointing").Select(p => (Attribute: a, p.Name))).ToList();
        var sweepable = SweepParser.Properties.Select(p => (p.Attribute, p.Name)).ToList();

        Assert.Equal(settable.Count, settable.Select(p => p.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal(settable.OrderBy(p => p.Name, StringComparer.Ordinal), sweepable.OrderBy(p => p.Name, StringComparer.Ordinal));
        Assert.All(network.SelectMany(a => Settable(Attributes[a])).Where(p => p.Name != "Checkpointing"), property =>
        {
            var kind = SweepParser.Properties.Single(p => p.Name == property.Name);
            var expected = property.PropertyType.IsEnum ? SweepParser.ValueKind.Enum
                : property.PropertyType == typeof(int) ? SweepParser.ValueKind.Int
                : property.PropertyType == typeof(int[]) ? SweepParser.ValueKind.IntArray
                : property.PropertyType == typeof(double) ? SweepParser.ValueKind.Double
                : SweepParser.ValueKind.Bool;
            Assert.Equal(expected, kind.Kind);
            Assert.Equal(property.PropertyType.IsEnum ? property.PropertyType.Name : null, kind.EnumType);
        });
    }

    [Theory]
    [MemberData(nameof(SettableProperties))]
    public void Setting_the_property_changes_the_parsed_spec(string attribute, string property)
    {
        var baseline = ParsedSpec(Baseline);
        var type = Settable(Attributes[attribute]).Single(p => p.Name == property).PropertyType;

        var changed = Candidates(type).Select(value => ParsedSpec(With(attribute, property, value))).Any(spec => !spec.Equals(baseline));

        Assert.True(changed, $"[{attribute}({property} = …)] leaves the parsed spec as it was: the parser does not read '{property}'");
    }

    private static IEnumerable<PropertyInfo> Settable(Type attribute) =>
        attribute.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true });

    /// <summary>C# values of <paramref name="type"/>, at least one of which differs from whatever the baseline resolves.</summary>
    private static IEnumerable<string> Candidates(Type type)
    {
        if (type.IsEnum)
        {
            return Enum.GetNames(type).Select(name => type.Name + "." + name);
        }

        return type == typeof(int) ? new[] { "7", "9" }
            : type == typeof(int[]) ? new[] { "new[] { 5, 6 }" }
            : type == typeof(double) ? new[] { "0.25" }
            : type == typeof(bool) ? new[] { "true", "false" }
            : throw new NotSupportedException($"No test values for a {type.Name} property; add some.");
    }

    private static Dictionary<string, Dictionary<string, string>> With(string attribute, string property, string value)
    {
        var arguments = Baseline.ToDictionary(a => a.Key, a => new Dictionary<string, string>(a.Value));
        arguments[attribute][property] = value;
        return arguments;
    }

    private static UnetrSpec ParsedSpec(Dictionary<string, Dictionary<string, string>> arguments)
    {
        var attributes = arguments.Select(a => $"[{a.Key}({string.Join(", ", a.Value.Select(v => v.Key + " = " + v.Value))})]");
        var source = "using Unetr.Dsl;\nnamespace Demo;\n\n" + string.Join("\n", attributes) + "\npublic partial class Net;\n";
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(GeneratorHarness.Compile(source));
        var parse = driver.GetRunResult().Results.Single().TrackedSteps[StepNames.Parse];
        return ((ParsedDeclaration)parse.SelectMany(run => run.Outputs).Single().Value).Spec;
    }
}
