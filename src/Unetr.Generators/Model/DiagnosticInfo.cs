using System;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Unetr.Generators.Model
{
    /// <summary>One entry of a diagnostic's properties: a value its code fix reads (see <c>FixProperties</c>).</summary>
    internal sealed record DiagnosticProperty(string Key, string Value);

    /// <summary>A diagnostic as plain values: descriptor ID, where, the message arguments and the properties for its code fix.</summary>
    internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> MessageArgs, EquatableArray<DiagnosticProperty> Properties = default)
    {
        /// <summary>The same diagnostic with one more property.</summary>
        public DiagnosticInfo With(string key, string value) =>
            this with { Properties = Properties.Concat(new[] { new DiagnosticProperty(key, value) }).ToEquatableArray() };

        public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params object[] args) =>
            new DiagnosticInfo(
                descriptor.Id,
                location,
                args.Select(a => Convert.ToString(a, CultureInfo.InvariantCulture) ?? string.Empty).ToEquatableArray());
    }
}
