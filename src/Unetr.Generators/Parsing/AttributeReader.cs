using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Unetr.Generators.Model;

namespace Unetr.Generators.Parsing
{
    /// <summary>Reads the named arguments of one applied attribute as plain values, with where each was written.</summary>
    internal sealed class AttributeReader
    {
        private readonly Dictionary<string, TypedConstant> values;

        // Values a sweep variant sets instead of the written ones: int (also enums), double, bool or EquatableArray<int>.
        private readonly Dictionary<string, object> overrides;

        private AttributeReader(string name, Dictionary<string, TypedConstant> values, AttributeSite site, Dictionary<string, object>? overrides = null)
        {
            Name = name;
            this.values = values;
            Site = site;
            this.overrides = overrides ?? new Dictionary<string, object>();
        }

        public string Name { get; }

        public AttributeSite Site { get; }

        public static AttributeReader Read(string name, AttributeData data, CancellationToken cancellationToken)
        {
            var values = new Dictionary<string, TypedConstant>();
            foreach (var argument in data.NamedArguments)
            {
                // A constant the compiler could not evaluate is already a compile error of its own: treat it as unset.
                if (argument.Value.Kind != TypedConstantKind.Error)
                {
                    values[argument.Key] = argument.Value;
                }
            }

            var syntax = data.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
            var arguments = new List<ArgumentSite>();
            foreach (var argument in syntax?.ArgumentList?.Arguments ?? default)
            {
                if (argument.NameEquals is { } nameEquals)
                {
                    arguments.Add(new ArgumentSite(
                        nameEquals.Name.Identifier.ValueText,
                        LocationInfo.From(argument),
                        ElementLocations(argument.Expression)));
                }
            }

            return new AttributeReader(name, values, new AttributeSite(name, LocationInfo.From(syntax), arguments.ToEquatableArray()));
        }

        /// <summary>
        /// The same attribute with <paramref name="argument"/> set to <paramref name="value"/> (an int, also for an enum, a
        /// double, a bool or an <see cref="EquatableArray{T}"/> of int), written at <paramref name="location"/>: how a sweep
        /// variant's value reaches the same defaults and rules as a written one.
        /// </summary>
        public AttributeReader With(string argument, object value, LocationInfo? location, EquatableArray<LocationInfo> elements)
        {
            var changed = new Dictionary<string, object>(overrides) { [argument] = value };
            var arguments = Site.Arguments.Where(a => a.Name != argument).Append(new ArgumentSite(argument, location, elements));
            return new AttributeReader(Name, values, Site with { Arguments = arguments.ToEquatableArray() }, changed);
        }

        public bool Has(string argument) => overrides.ContainsKey(argument) || values.ContainsKey(argument);

        public int? Int(string argument) =>
            overrides.TryGetValue(argument, out var set) ? set as int?
            : values.TryGetValue(argument, out var value) && value.Value is int number ? number : (int?)null;

        public double? Double(string argument) =>
            overrides.TryGetValue(argument, out var set) ? set as double?
            : values.TryGetValue(argument, out var value) && value.Value is double number ? number : (double?)null;

        public bool? Bool(string argument) =>
            overrides.TryGetValue(argument, out var set) ? set as bool?
            : values.TryGetValue(argument, out var value) && value.Value is bool flag ? flag : (bool?)null;

        /// <summary>Enum arguments arrive as their underlying int.</summary>
        public int? Enum(string argument) => Int(argument);

        public EquatableArray<int>? IntArray(string argument)
        {
            if (overrides.TryGetValue(argument, out var set))
            {
                return set as EquatableArray<int>?;
            }

            if (!values.TryGetValue(argument, out var value) || value.Kind != TypedConstantKind.Array || value.IsNull)
            {
                return null;
            }

            return value.Values.Select(v => v.Value is int number ? number : 0).ToEquatableArray();
        }

        internal static EquatableArray<LocationInfo> ElementLocations(ExpressionSyntax expression)
        {
            IEnumerable<SyntaxNode> elements = expression switch
            {
                ImplicitArrayCreationExpressionSyntax implicitArray => implicitArray.Initializer.Expressions,
                ArrayCreationExpressionSyntax array when array.Initializer is not null => array.Initializer.Expressions,
                CollectionExpressionSyntax collection => collection.Elements,
                _ => Enumerable.Empty<SyntaxNode>(),
            };

            return elements.Select(e => LocationInfo.From(e)).Where(l => l is not null).Select(l => l!).ToEquatableArray();
        }
    }
}
