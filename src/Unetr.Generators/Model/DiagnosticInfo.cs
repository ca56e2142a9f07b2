using System;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Unetr.Generators.Model
{
    /// <summary>A diagnostic as plain values: descriptor ID, where, and the message arguments.</summary>
    internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> MessageArgs)
    {
        public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params object[] args) =>
            new DiagnosticInfo(
                descriptor.Id,
                location,
                args.Select(a => Convert.ToString(a, CultureInfo.InvariantCulture) ?? string.Empty).ToEquatableArray());
    }
}
