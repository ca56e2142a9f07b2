namespace Unetr.Generators.Parsing
{
    /// <summary>The DSL's attributes: short names (as written and used in diagnostics) and metadata names.</summary>
    internal static class AttributeNames
    {
        public const string Unetr = "Unetr";
        public const string PatchEmbedding = "PatchEmbedding";
        public const string Encoder = "Encoder";
        public const string Decoder = "Decoder";

        public const string UnetrMetadataName = "Unetr.Dsl.UnetrAttribute";

        public static string MetadataName(string shortName) => "Unetr.Dsl." + shortName + "Attribute";
    }
}
