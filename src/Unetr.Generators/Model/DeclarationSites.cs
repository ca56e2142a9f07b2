namespace Unetr.Generators.Model
{
    /// <summary>Where one attribute argument was written; for arrays, where each element was written.</summary>
    internal sealed record ArgumentSite(string Name, LocationInfo? Location, EquatableArray<LocationInfo> Elements);

    /// <summary>Where one attribute was written, and its named arguments.</summary>
    internal sealed record AttributeSite(string Name, LocationInfo? Location, EquatableArray<ArgumentSite> Arguments);

    /// <summary>
    /// The source locations of a declaration, kept apart from <see cref="UnetrSpec"/> so that moving a class
    /// in its file changes only the diagnostics stream, never the emitted code.
    /// </summary>
    internal sealed record DeclarationSites(LocationInfo? ClassLocation, EquatableArray<AttributeSite> Attributes)
    {
        public bool Has(string attribute, string argument) => FindArgument(attribute, argument) is not null;

        /// <summary>Whether the attribute is applied at all.</summary>
        public bool HasAttribute(string attribute)
        {
            foreach (var site in Attributes)
            {
                if (site.Name == attribute)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The argument if written, else its attribute, else the class name.</summary>
        public LocationInfo? Locate(string attribute, string argument) =>
            FindArgument(attribute, argument)?.Location ?? Locate(attribute);

        /// <summary>The <paramref name="index"/>-th element of an array argument, else the argument.</summary>
        public LocationInfo? LocateElement(string attribute, string argument, int index)
        {
            var site = FindArgument(attribute, argument);
            if (site is not null && index >= 0 && index < site.Elements.Count)
            {
                return site.Elements[index];
            }

            return Locate(attribute, argument);
        }

        public LocationInfo? Locate(string attribute)
        {
            foreach (var site in Attributes)
            {
                if (site.Name == attribute)
                {
                    return site.Location ?? ClassLocation;
                }
            }

            return ClassLocation;
        }

        private ArgumentSite? FindArgument(string attribute, string argument)
        {
            foreach (var site in Attributes)
            {
                if (site.Name != attribute)
                {
                    continue;
                }

                foreach (var arg in site.Arguments)
                {
                    if (arg.Name == argument)
                    {
                        return arg;
                    }
                }
            }

            return null;
        }
    }

    /// <summary>What parsing one class yields: the spec, where it was written, and structural problems found on the way.</summary>
    /// <remarks><see cref="Sweeps"/>: the variants its <c>[Sweep]</c>s declare, when it has any.</remarks>
    internal sealed record ParsedDeclaration(UnetrSpec Spec, DeclarationSites Sites, EquatableArray<DiagnosticInfo> Diagnostics, SweepSet? Sweeps = null);

    /// <summary>
    /// A parsed declaration after validation: the network's descriptor, and its sweep variants' descriptors, are present
    /// only when there are no errors.
    /// </summary>
    internal sealed record ValidatedDeclaration(Describe.NetworkDescriptor? Network, EquatableArray<DiagnosticInfo> Diagnostics, EquatableArray<Describe.NetworkDescriptor> Variants = default);

    /// <summary>
    /// What a declaration's <c>[Sweep]</c>s expand to: one spec per variant (its target names it and its settings), and the
    /// problems found in the sweeps themselves (unknown property, wrong value type, clashing names, a value that changes nothing).
    /// </summary>
    internal sealed record SweepSet(EquatableArray<SweepVariantSpec> Variants, EquatableArray<DiagnosticInfo> Diagnostics);

    /// <summary>One sweep variant: its spec with every default resolved, the baseline's sites with the swept arguments
    /// placed at their values, and where its value was written (where its errors are reported).</summary>
    internal sealed record SweepVariantSpec(UnetrSpec Spec, DeclarationSites Sites, LocationInfo? Location);

    /// <summary>One generated source file.</summary>
    internal sealed record GeneratedFile(string HintName, string Source);
}
