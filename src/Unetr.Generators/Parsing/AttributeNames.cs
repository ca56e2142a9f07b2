namespace Unetr.Generators.Parsing
{
    /// <summary>
    /// The DSL's attributes: short names (as written and used in diagnostics), metadata names, and the named arguments
    /// the parser reads, which are the settable properties of the attribute classes in <c>Unetr.Dsl</c> (the generator
    /// cannot reference that assembly; a test compares the two by reflection).
    /// </summary>
    internal static class AttributeNames
    {
        public const string Unetr = "Unetr";
        public const string PatchEmbedding = "PatchEmbedding";
        public const string Encoder = "Encoder";
        public const string Decoder = "Decoder";
        public const string Sweep = "Sweep";
        public const string SweepGrid = "SweepGrid";

        public const string UnetrMetadataName = "Unetr.Dsl.UnetrAttribute";

        public static string MetadataName(string shortName) => "Unetr.Dsl." + shortName + "Attribute";

        /// <summary>Named arguments of <c>[Unetr]</c>: the properties of <c>Unetr.Dsl.UnetrAttribute</c>.</summary>
        public static class UnetrArguments
        {
            public const string Layout = nameof(Layout);
            public const string ImageSize = nameof(ImageSize);
            public const string SpatialDims = nameof(SpatialDims);
            public const string InChannels = nameof(InChannels);
            public const string OutChannels = nameof(OutChannels);
        }

        /// <summary>Named arguments of <c>[PatchEmbedding]</c>: the properties of <c>Unetr.Dsl.PatchEmbeddingAttribute</c>.</summary>
        public static class PatchEmbeddingArguments
        {
            public const string PatchSize = nameof(PatchSize);
            public const string Projection = nameof(Projection);
        }

        /// <summary>Named arguments of <c>[Encoder]</c>: the properties of <c>Unetr.Dsl.EncoderAttribute</c>.</summary>
        public static class EncoderArguments
        {
            public const string EmbedDim = nameof(EmbedDim);
            public const string Depth = nameof(Depth);
            public const string Heads = nameof(Heads);
            public const string MlpDim = nameof(MlpDim);
            public const string ExtractLayers = nameof(ExtractLayers);
            public const string Dropout = nameof(Dropout);
            public const string FinalNorm = nameof(FinalNorm);
            public const string QkvBias = nameof(QkvBias);
            public const string Activation = nameof(Activation);
            public const string Checkpointing = nameof(Checkpointing);
        }

        /// <summary>Named arguments of <c>[Decoder]</c>: the properties of <c>Unetr.Dsl.DecoderAttribute</c>.</summary>
        public static class DecoderArguments
        {
            public const string Widths = nameof(Widths);
            public const string StemWidth = nameof(StemWidth);
            public const string Norm = nameof(Norm);
            public const string Residual = nameof(Residual);
            public const string Checkpointing = nameof(Checkpointing);
        }

        /// <summary>Named arguments of <c>[Sweep]</c> (its property and values are constructor arguments).</summary>
        public static class SweepArguments
        {
            public const string With = nameof(With);
        }

        /// <summary><c>[SweepGrid]</c> has no arguments.</summary>
        public static class SweepGridArguments
        {
        }
    }
}
