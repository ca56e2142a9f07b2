using System.Collections.Generic;
using System.Collections.Immutable;
using System.Text;
using Unetr.Generators.Model;

namespace Unetr.Generators.Describe
{
    /// <summary>
    /// The catalog of one assembly: the namespace its class goes in (the assembly's name made a C# namespace, so that
    /// the catalogs of two assemblies never share a full name, even where one sees the other's internals) and the
    /// networks it lists, by full name.
    /// </summary>
    /// <param name="Namespace">Dotted namespace, each segment a valid identifier (keywords are escaped by the emitter).</param>
    /// <param name="Networks">The valid networks the catalog can construct, in declaration order (files in compilation order).</param>
    internal sealed record CatalogDescriptor(string Namespace, EquatableArray<TypeTarget> Networks)
    {
        /// <summary>The generated class's simple name.</summary>
        public const string ClassName = "DeclaredNetworks";
    }

    /// <summary>Builds the <see cref="CatalogDescriptor"/> from the collected networks and the assembly name.</summary>
    internal static class CatalogDescriber
    {
        public static CatalogDescriptor Describe(ImmutableArray<TypeTarget> networks, string? assemblyName) =>
            new CatalogDescriptor(
                NamespaceOf(assemblyName),
                networks.ToEquatableArray());

        /// <summary>"My-App.2d" → "My_App._2d"; an empty name → "UnetrAssembly".</summary>
        public static string NamespaceOf(string? assemblyName)
        {
            var segments = new List<string>();
            foreach (var part in (assemblyName ?? string.Empty).Split('.'))
            {
                if (part.Length == 0)
                {
                    continue;
                }

                var segment = new StringBuilder(part.Length + 1);
                foreach (var c in part)
                {
                    segment.Append(char.IsLetterOrDigit(c) || c == '_' ? c : '_');
                }

                if (char.IsDigit(segment[0]))
                {
                    segment.Insert(0, '_');
                }

                segments.Add(segment.ToString());
            }

            return segments.Count == 0 ? "UnetrAssembly" : string.Join(".", segments);
        }
    }
}
