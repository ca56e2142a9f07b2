namespace Unetr.Generators
{
    /// <summary>Tracking names of the generator's pipeline steps; tests use the same constants.</summary>
    internal static class StepNames
    {
        public const string Parse = nameof(Parse);
        public const string Validate = nameof(Validate);
        public const string Diagnostics = nameof(Diagnostics);
        public const string ValidNetworks = nameof(ValidNetworks);
        public const string Emit = nameof(Emit);
        public const string CatalogEntries = nameof(CatalogEntries);
        public const string Catalog = nameof(Catalog);
        public const string EmitCatalog = nameof(EmitCatalog);
    }
}
