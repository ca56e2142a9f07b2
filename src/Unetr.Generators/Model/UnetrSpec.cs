namespace Unetr.Generators.Model
{
    /// <summary>Mirror of <c>Unetr.Dsl.UnetrLayout</c> (the generator cannot reference the attribute assembly).</summary>
    internal enum Layout { Monai = 0, Seed = 1 }

    /// <summary>Mirror of <c>Unetr.Dsl.PatchProjection</c>.</summary>
    internal enum Projection { Conv = 0, Perceptron = 1 }

    /// <summary>Mirror of <c>Unetr.Dsl.NormKind</c>.</summary>
    internal enum Norm { Batch = 0, Instance = 1 }

    /// <summary>Mirror of <c>Unetr.Dsl.MlpActivation</c>.</summary>
    internal enum Activation { Gelu = 0, Relu = 1 }

    /// <summary>
    /// One declared UNETR variant with every default resolved. Values are as the user wrote them, valid or not:
    /// <c>Validation</c> decides; the emitter only ever sees a spec that validated without errors.
    /// </summary>
    internal sealed record UnetrSpec(
        TypeTarget Target,
        Layout Layout,
        EquatableArray<int> ImageSize,
        int SpatialDims,
        int InChannels,
        int OutChannels,
        int PatchSize,
        Projection Projection,
        int EmbedDim,
        int Depth,
        int Heads,
        int MlpDim,
        EquatableArray<int> ExtractLayers,
        double Dropout,
        bool FinalNorm,
        bool QkvBias,
        Activation Activation,
        EquatableArray<int> Widths,
        int StemWidth,
        Norm Norm,
        bool Residual,
        bool EncoderCheckpointing = false,
        bool DecoderCheckpointing = false)
    {
        /// <summary>Number of decoder stages and of extract layers: log2 of the patch size.</summary>
        public int Stages => Validation.Rules.StagesFor(PatchSize);

        /// <summary>Tokens per sample: product of ImageSize / PatchSize.</summary>
        public long Tokens
        {
            get
            {
                long n = 1;
                foreach (var size in ImageSize)
                {
                    n *= size / PatchSize;
                }

                return n;
            }
        }
    }

    /// <summary>A type that encloses the network class: its keyword ("class", "struct", "record", "record struct") and name.</summary>
    internal sealed record ContainingType(string Keyword, string Name);

    /// <summary>
    /// Where the generated partial goes: namespace (empty for the global one), enclosing types outermost first, the class;
    /// and whether the assembly's catalog can name and construct it (no private or protected class on the way, not abstract).
    /// </summary>
    /// <remarks>
    /// <see cref="Sweep"/> is set for a variant that a <c>[Sweep]</c> expanded: a class the generator declares itself, nested
    /// in its baseline.
    /// </remarks>
    internal sealed record TypeTarget(string Namespace, EquatableArray<ContainingType> ContainingTypes, string ClassName, bool Catalogued = true, SweepOrigin? Sweep = null)
    {
        /// <summary>Dotted name without namespace, e.g. <c>Outer.SeedUnetr</c>.</summary>
        public string NestedName
        {
            get
            {
                var names = new System.Collections.Generic.List<string>();
                foreach (var type in ContainingTypes)
                {
                    names.Add(type.Name);
                }

                names.Add(ClassName);
                return string.Join(".", names);
            }
        }

        public string FullName => Namespace.Length == 0 ? NestedName : Namespace + "." + NestedName;
    }

    /// <summary>One setting a sweep variant changes: the property's name (e.g. <c>Depth</c>) and its value as C# shows it.</summary>
    internal sealed record SweepSettingInfo(string Property, string Value);

    /// <summary>A sweep variant's baseline (its class name) and the settings it changes, swept value first, then companions.</summary>
    internal sealed record SweepOrigin(string Baseline, EquatableArray<SweepSettingInfo> Settings)
    {
        /// <summary>The settings as a reader sees them, e.g. <c>PatchSize = 8, Widths = [8, 16, 32]</c>.</summary>
        public string Combination => string.Join(", ", System.Linq.Enumerable.Select(Settings, s => s.Property + " = " + s.Value));
    }
}
