using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Unetr.Generators.Describe;
using Unetr.Generators.Diagnostics;
using Unetr.Generators.Model;
using static Unetr.Generators.Parsing.AttributeNames;

namespace Unetr.Generators.Parsing
{
    /// <summary>
    /// Expands a declaration's <c>[Sweep]</c>s into variant specs. A variant's values replace the written arguments before
    /// defaults are resolved, so that whatever the baseline leaves to its defaults follows the variant (MONAI's MLP width
    /// follows EmbedDim, the extract layers follow Depth, the seed layout brings its own norm and blocks).
    /// </summary>
    internal static class SweepParser
    {
        /// <summary>What a sweepable property takes.</summary>
        internal enum ValueKind { Int, IntArray, Double, Bool, Enum }

        /// <summary>A property a sweep may vary: its attribute, name and type (the enum's name in Unetr.Dsl for an enum).</summary>
        internal sealed record SweepableProperty(string Attribute, string Name, ValueKind Kind, string? EnumType = null);

        /// <summary>
        /// Every settable property of the four network attributes that changes the network. Their names are unique across
        /// the attributes (a test checks this against Unetr.Dsl), which is what lets <c>nameof(EncoderAttribute.Depth)</c>
        /// alone name one. <c>Checkpointing</c> (encoder and decoder) is left out: it changes how the backward pass is
        /// computed, not the function a variant computes, so an ablation of it is <c>memory-checkpointing</c>'s, not a sweep's.
        /// </summary>
        internal static readonly IReadOnlyList<SweepableProperty> Properties = new[]
        {
            new SweepableProperty(AttributeNames.Unetr, UnetrArguments.Layout, ValueKind.Enum, "UnetrLayout"),
            new SweepableProperty(AttributeNames.Unetr, UnetrArguments.ImageSize, ValueKind.IntArray),
            new SweepableProperty(AttributeNames.Unetr, UnetrArguments.SpatialDims, ValueKind.Int),
            new SweepableProperty(AttributeNames.Unetr, UnetrArguments.InChannels, ValueKind.Int),
            new SweepableProperty(AttributeNames.Unetr, UnetrArguments.OutChannels, ValueKind.Int),
            new SweepableProperty(PatchEmbedding, PatchEmbeddingArguments.PatchSize, ValueKind.Int),
            new SweepableProperty(PatchEmbedding, PatchEmbeddingArguments.Projection, ValueKind.Enum, "PatchProjection"),
            new SweepableProperty(Encoder, EncoderArguments.EmbedDim, ValueKind.Int),
            new SweepableProperty(Encoder, EncoderArguments.Depth, ValueKind.Int),
            new SweepableProperty(Encoder, EncoderArguments.Heads, ValueKind.Int),
            new SweepableProperty(Encoder, EncoderArguments.MlpDim, ValueKind.Int),
            new SweepableProperty(Encoder, EncoderArguments.ExtractLayers, ValueKind.IntArray),
            new SweepableProperty(Encoder, EncoderArguments.Dropout, ValueKind.Double),
            new SweepableProperty(Encoder, EncoderArguments.FinalNorm, ValueKind.Bool),
            new SweepableProperty(Encoder, EncoderArguments.QkvBias, ValueKind.Bool),
            new SweepableProperty(Encoder, EncoderArguments.Activation, ValueKind.Enum, "MlpActivation"),
            new SweepableProperty(Decoder, DecoderArguments.Widths, ValueKind.IntArray),
            new SweepableProperty(Decoder, DecoderArguments.StemWidth, ValueKind.Int),
            new SweepableProperty(Decoder, DecoderArguments.Norm, ValueKind.Enum, "NormKind"),
            new SweepableProperty(Decoder, DecoderArguments.Residual, ValueKind.Bool),
        };

        /// <summary>One checked value: what the parser reads, how it is shown, and where it was written.</summary>
        private sealed record Setting(SweepableProperty Property, object Value, string Display, string NamePart, LocationInfo? Location, EquatableArray<LocationInfo> Elements);

        /// <summary>One value of a factor with the companion settings of its [Sweep].</summary>
        private sealed record Choice(IReadOnlyList<Setting> Settings)
        {
            public string NamePart => Settings[0].NamePart;

            public LocationInfo? Location => Settings[0].Location;
        }

        private sealed record Factor(SweepableProperty Property, List<Choice> Choices);

        public static SweepSet Parse(
            INamedTypeSymbol symbol,
            UnetrSpec baseline,
            Dictionary<string, AttributeReader> readers,
            LocationInfo? classLocation,
            IReadOnlyList<AttributeData> sweeps,
            bool grid,
            Func<TypeTarget, Dictionary<string, AttributeReader>, DeclarationSites, UnetrSpec> build,
            CancellationToken cancellationToken)
        {
            var diagnostics = new List<DiagnosticInfo>();
            var factors = new List<Factor>();
            foreach (var data in sweeps)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var factor = ReadFactor(data, diagnostics, cancellationToken);
                if (factor is null)
                {
                    continue;
                }

                // In a grid, two [Sweep]s of one property are one axis; one factor at a time, they simply add variants.
                var same = grid ? factors.FirstOrDefault(f => f.Property == factor.Property) : null;
                if (same is not null)
                {
                    same.Choices.AddRange(factor.Choices);
                }
                else
                {
                    factors.Add(factor);
                }
            }

            var combinations = grid
                ? factors.Aggregate(
                    (IEnumerable<IReadOnlyList<Choice>>)new[] { Array.Empty<Choice>() },
                    (sofar, factor) => sofar.SelectMany(c => factor.Choices.Select(choice => (IReadOnlyList<Choice>)c.Append(choice).ToArray())))
                : factors.SelectMany(f => f.Choices.Select(choice => (IReadOnlyList<Choice>)new[] { choice }));
            if (factors.Count == 0)
            {
                combinations = Enumerable.Empty<IReadOnlyList<Choice>>();
            }

            var variants = new List<SweepVariantSpec>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            var members = new HashSet<string>(symbol.MemberNames, StringComparer.Ordinal);
            foreach (var combination in combinations)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var settings = combination.SelectMany(c => c.Settings).ToList();

                // Without an attribute to change (already UNETR003) there is no variant to describe.
                if (settings.Any(s => !readers.ContainsKey(s.Property.Attribute)))
                {
                    continue;
                }

                var name = string.Join("_", combination.Select(c => c.NamePart));
                var origin = new SweepOrigin(baseline.Target.ClassName, settings.Select(s => new SweepSettingInfo(s.Property.Name, s.Display)).ToEquatableArray());
                var location = combination[0].Location;

                string? clash = !names.Add(name) ? "another variant of this declaration has the same name"
                    : name == symbol.Name ? "the baseline class has that name, and C# forbids a member named like its class"
                    : members.Contains(name) ? $"the class already has a member named '{name}'"
                    : GeneratedMembers.All.Contains(name) ? $"the generated network declares a member named '{name}'"
                    : null;
                if (clash is not null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SweepNameClash, location, baseline.Target.ClassName + "." + name, origin.Combination, clash));
                    continue;
                }

                var changed = new Dictionary<string, AttributeReader>(readers);
                foreach (var setting in settings)
                {
                    var attribute = setting.Property.Attribute;
                    changed[attribute] = changed[attribute].With(setting.Property.Name, setting.Value, setting.Location, setting.Elements);
                }

                var target = new TypeTarget(
                    baseline.Target.Namespace,
                    baseline.Target.ContainingTypes.Append(new ContainingType("class", baseline.Target.ClassName)).ToEquatableArray(),
                    name,
                    baseline.Target.Catalogued,
                    origin);
                var sites = new DeclarationSites(classLocation, changed.Values.Select(r => r.Site).ToEquatableArray());
                var spec = build(target, changed, sites);
                if (spec with { Target = baseline.Target } == baseline)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SweepChangesNothing, location, "Sweep variant '" + baseline.Target.ClassName + "." + name + "'",
                        $"({origin.Combination}) is the baseline itself: every value it sets is the one the baseline already has; remove it or pick another value"));
                    continue;
                }

                variants.Add(new SweepVariantSpec(spec, sites, location));
            }

            return new SweepSet(variants.ToEquatableArray(), diagnostics.ToEquatableArray());
        }

        private static Factor? ReadFactor(AttributeData data, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        {
            // A call the compiler could not bind (wrong argument types, no arguments) is already a compile error of its own.
            if (data.ConstructorArguments.Length != 2
                || data.ConstructorArguments[0].Kind == TypedConstantKind.Error
                || data.ConstructorArguments[1].Kind != TypedConstantKind.Array)
            {
                return null;
            }

            var syntax = data.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
            var attributeLocation = LocationInfo.From(syntax);
            var positional = syntax?.ArgumentList?.Arguments.Where(a => a.NameEquals is null).ToList() ?? new List<AttributeArgumentSyntax>();
            var propertyLocation = positional.Count > 0 ? LocationInfo.From(positional[0]) : attributeLocation;
            var written = data.ConstructorArguments[0].Value as string;

            var property = Find(written);
            if (property is null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SweepUnknownProperty, propertyLocation, written is null ? "null" : "'" + written + "'", Why(written), Names()));
                return null;
            }

            var values = data.ConstructorArguments[1].Values;
            if (values.IsDefaultOrEmpty)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SweepChangesNothing, attributeLocation, "[Sweep(" + property.Name + ")]",
                    $"lists no values; give at least one after the property, e.g. [Sweep(nameof({property.Attribute}Attribute.{property.Name}), …)]"));
                return null;
            }

            // Values are written one per argument (params), or as one explicit object[].
            var valueSyntax = positional.Count == values.Length + 1
                ? positional.Skip(1).Select(a => (SyntaxNode)a.Expression).ToList()
                : positional.Count == 2 ? ElementSyntax(positional[1].Expression) : new List<SyntaxNode>();

            var companions = ReadCompanions(data, syntax, property, diagnostics);
            var choices = new List<Choice>();
            var ok = companions is not null;
            for (var i = 0; i < values.Length; i++)
            {
                var node = i < valueSyntax.Count && valueSyntax.Count == values.Length ? valueSyntax[i] : null;
                var setting = Check(property, values[i], node, node is null ? attributeLocation : LocationInfo.From(node), diagnostics);
                if (setting is null)
                {
                    ok = false;
                    continue;
                }

                choices.Add(new Choice(new[] { setting }.Concat(companions ?? Enumerable.Empty<Setting>()).ToList()));
            }

            return ok ? new Factor(property, choices) : null;
        }

        /// <summary>The With pairs, checked; null when they are malformed (reported).</summary>
        private static List<Setting>? ReadCompanions(AttributeData data, AttributeSyntax? syntax, SweepableProperty swept, List<DiagnosticInfo> diagnostics)
        {
            var result = new List<Setting>();
            var with = data.NamedArguments.FirstOrDefault(a => a.Key == SweepArguments.With);
            if (with.Key is null || with.Value.Kind == TypedConstantKind.Error || with.Value.IsNull)
            {
                return result;
            }

            var argument = syntax?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == SweepArguments.With);
            var location = LocationInfo.From(argument) ?? LocationInfo.From(syntax);
            var items = with.Value.Values;
            var elements = argument is null ? new List<SyntaxNode>() : ElementSyntax(argument.Expression);
            LocationInfo? At(int i) => elements.Count == items.Length ? LocationInfo.From(elements[i]) : location;
            SyntaxNode? Node(int i) => elements.Count == items.Length ? elements[i] : null;

            if (items.Length % 2 != 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SweepWithMalformed, location, $"it has an odd number of entries ({items.Length})"));
                return null;
            }

            var ok = true;
            for (var i = 0; i < items.Length; i += 2)
            {
                var name = items[i].Value as string;
                var property = items[i].Kind == TypedConstantKind.Primitive ? Find(name) : null;
                if (property is null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SweepUnknownProperty, At(i), name is null ? items[i].ToCSharpString() : "'" + name + "'", Why(name), Names()));
                    ok = false;
                    continue;
                }

                if (property == swept || result.Any(r => r.Property == property))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SweepWithMalformed, At(i),
                        property == swept ? $"it sets {property.Name}, the property this [Sweep] varies" : $"it sets {property.Name} twice"));
                    ok = false;
                    continue;
                }

                var setting = Check(property, items[i + 1], Node(i + 1), At(i + 1), diagnostics);
                if (setting is null)
                {
                    ok = false;
                    continue;
                }

                result.Add(setting);
            }

            return ok ? result : null;
        }

        /// <summary>
        /// "Depth", "depth", "Encoder.Depth" and "EncoderAttribute.Depth" name the same property; a qualifier must name the
        /// attribute that has it.
        /// </summary>
        internal static SweepableProperty? Find(string? written)
        {
            if (Split(written) is not var (qualifier, name))
            {
                return null;
            }

            return Properties.FirstOrDefault(p =>
                string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)
                && (qualifier is null || string.Equals(p.Attribute, qualifier, StringComparison.OrdinalIgnoreCase)));
        }

        /// <summary>The attribute (without "Attribute", null when unqualified) and the property a written name gives.</summary>
        private static (string? Qualifier, string Name)? Split(string? written)
        {
            if (string.IsNullOrWhiteSpace(written))
            {
                return null;
            }

            var text = written!.Trim();
            var dot = text.LastIndexOf('.');
            var qualifier = dot < 0 ? null : text.Substring(0, dot);
            if (qualifier is not null && qualifier.EndsWith("Attribute", StringComparison.Ordinal))
            {
                qualifier = qualifier.Substring(0, qualifier.Length - "Attribute".Length);
            }

            return (qualifier, text.Substring(dot + 1));
        }

        private static string Names() => string.Join(", ", Properties.Select(p => p.Name));

        /// <summary>Why <paramref name="written"/> names no sweepable property, for UNETR021.</summary>
        private static string Why(string? written) =>
            Split(written) is var (_, name) && string.Equals(name, EncoderArguments.Checkpointing, StringComparison.OrdinalIgnoreCase)
                ? "changes how the backward pass is computed, not the network, so no sweep varies it (the memory-checkpointing benchmark measures it)"
                : "is not a property of [Unetr], [PatchEmbedding], [Encoder] or [Decoder]";

        /// <summary>The value as the parser reads it, or null and UNETR022 when it is not of the property's type.</summary>
        private static Setting? Check(SweepableProperty property, TypedConstant constant, SyntaxNode? node, LocationInfo? location, List<DiagnosticInfo> diagnostics)
        {
            var elements = node is ExpressionSyntax expression ? AttributeReader.ElementLocations(expression) : EquatableArray<LocationInfo>.Empty;
            Setting Make(object value, string display, string part) => new Setting(property, value, display, property.Name + part, location, elements);

            if (!constant.IsNull)
            {
                switch (property.Kind)
                {
                    case ValueKind.Int when constant.Kind == TypedConstantKind.Primitive && constant.Value is int number:
                        return Make(number, Number(number), Part(number));
                    case ValueKind.Double when constant.Kind == TypedConstantKind.Primitive && constant.Value is int or float or double:
                        var real = Convert.ToDouble(constant.Value, CultureInfo.InvariantCulture);
                        var shown = real.ToString("R", CultureInfo.InvariantCulture);
                        return Make(real, shown, Sanitise(shown));
                    case ValueKind.Bool when constant.Kind == TypedConstantKind.Primitive && constant.Value is bool flag:
                        return Make(flag, flag ? "true" : "false", flag ? "True" : "False");
                    case ValueKind.Enum when constant.Kind == TypedConstantKind.Enum && constant.Value is int member
                                             && constant.Type is { Name: var enumName, ContainingNamespace: var ns }
                                             && enumName == property.EnumType && ns?.ToDisplayString() == "Unetr.Dsl":
                        var field = constant.Type.GetMembers().OfType<IFieldSymbol>().FirstOrDefault(f => f.HasConstantValue && Equals(f.ConstantValue, member));
                        var label = field?.Name ?? Part(member);
                        return Make(member, field?.Name ?? Number(member), label);
                    case ValueKind.IntArray when constant.Kind == TypedConstantKind.Array
                                                 && constant.Type is IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_Int32 }:
                        var ints = constant.Values.Select(v => v.Value is int n ? n : 0).ToEquatableArray();
                        return Make(ints, "[" + string.Join(", ", ints.Select(Number)) + "]", ints.Count == 0 ? "Empty" : string.Join("_", ints.Select(Part)));
                }
            }

            var actual = constant.IsNull ? "null" : constant.Type is null ? "of unknown type" : "of type " + constant.Type.ToDisplayString();
            var expected = property.Kind switch
            {
                ValueKind.Int => "an int",
                ValueKind.IntArray => "an int[], e.g. new[] { 8, 16, 32 }",
                ValueKind.Double => "a number",
                ValueKind.Bool => "true or false",
                _ => $"a {property.EnumType} value, e.g. {property.EnumType}.{FirstMember(property.EnumType!)}",
            };
            var shownValue = node?.ToString() ?? (constant.IsNull ? "null" : constant.ToCSharpString());
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SweepValueType, location, property.Name, shownValue, actual, expected));
            return null;
        }

        private static string FirstMember(string enumType) => enumType switch
        {
            "UnetrLayout" => "Seed",
            "PatchProjection" => "Perceptron",
            "MlpActivation" => "Relu",
            _ => "Batch",
        };

        private static List<SyntaxNode> ElementSyntax(ExpressionSyntax expression) => expression switch
        {
            ImplicitArrayCreationExpressionSyntax implicitArray => implicitArray.Initializer.Expressions.Cast<SyntaxNode>().ToList(),
            ArrayCreationExpressionSyntax array when array.Initializer is not null => array.Initializer.Expressions.Cast<SyntaxNode>().ToList(),
            CollectionExpressionSyntax collection => collection.Elements.Cast<SyntaxNode>().ToList(),
            _ => new List<SyntaxNode>(),
        };

        private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

        private static string Part(int value) => value < 0 ? "Minus" + ((long)value * -1).ToString(CultureInfo.InvariantCulture) : Number(value);

        /// <summary>A number's text as an identifier fragment: "0.25" → "0_25", "1E-09" → "1EMinus09".</summary>
        private static string Sanitise(string text) =>
            new string(text.Replace("-", "Minus").Replace("+", string.Empty).Select(c => char.IsLetterOrDigit(c) ? c : '_').ToArray());
    }
}
