using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Unetr.Generators.Diagnostics
{
    /// <summary>Every diagnostic the generator can report. Each one makes a network impossible, so each is an error.</summary>
    internal static class DiagnosticDescriptors
    {
        private const string Category = "Unetr";
        private const string HelpRoot = "https://github.com/unetr/unetr/blob/main/docs/diagnostics/";

        public static readonly DiagnosticDescriptor NotPartial = Make(
            "UNETR001", "UNETR class must be partial",
            "'{0}' is not partial; add the 'partial' modifier so the generator can add the UNETR network's members to it");

        public static readonly DiagnosticDescriptor GenericContext = Make(
            "UNETR002", "UNETR class cannot be generic or nested in a generic type",
            "'{0}' is generic or nested in the generic type '{1}'; declare the network in a non-generic class");

        public static readonly DiagnosticDescriptor MissingAttribute = Make(
            "UNETR003", "Required attribute missing",
            "'{0}' has [Unetr] but no [{1}]; add [{1}({2})]");

        public static readonly DiagnosticDescriptor MissingArgument = Make(
            "UNETR004", "Required attribute argument missing",
            "[{0}] needs {1}: {2}");

        public static readonly DiagnosticDescriptor ImageSizeRank = Make(
            "UNETR005", "ImageSize must have two or three entries",
            "ImageSize has {0} entries; expected 2 (a 2D network) or 3 (a 3D network)");

        public static readonly DiagnosticDescriptor SpatialDimsMismatch = Make(
            "UNETR006", "SpatialDims disagrees with ImageSize",
            "SpatialDims is {0} but ImageSize has {1} entries; set SpatialDims = {1} or give ImageSize {0} entries");

        public static readonly DiagnosticDescriptor PatchSizeInvalid = Make(
            "UNETR007", "Unsupported patch size",
            "PatchSize {0} is not supported; expected a power of two from 4 to 32 (4, 8, 16 or 32)");

        public static readonly DiagnosticDescriptor ImageNotDivisible = Make(
            "UNETR008", "Image size not divisible by the patch size",
            "ImageSize[{0}] = {1} is not divisible by PatchSize {2}; the nearest valid sizes are {3} and {4}");

        public static readonly DiagnosticDescriptor HeadsDoNotDivide = Make(
            "UNETR009", "EmbedDim not divisible by Heads",
            "EmbedDim {0} is not divisible by Heads {1}; the nearest head counts that divide it are {2}");

        public static readonly DiagnosticDescriptor ExtractLayerCount = Make(
            "UNETR010", "Wrong number of extract layers",
            "ExtractLayers has {0} entries; PatchSize {1} needs exactly {2} (log2 of the patch size), e.g. {3}");

        public static readonly DiagnosticDescriptor ExtractLayerRange = Make(
            "UNETR011", "Extract layer out of range",
            "ExtractLayers entry {0} is outside 1..{1} (Depth)");

        public static readonly DiagnosticDescriptor ExtractLayerOrder = Make(
            "UNETR012", "Extract layers not strictly increasing",
            "ExtractLayers must be strictly increasing, but {0} follows {1}");

        public static readonly DiagnosticDescriptor ExtractLayerLast = Make(
            "UNETR013", "Last extract layer is not the last block",
            "The last extract layer is {0} but Depth is {1}; the deepest feature is the last block's output, so the last entry must be {1}");

        public static readonly DiagnosticDescriptor WidthCount = Make(
            "UNETR014", "Wrong number of decoder widths",
            "Widths has {0} entries; PatchSize {1} needs exactly {2}, one per decoder stage, e.g. {3}");

        public static readonly DiagnosticDescriptor NotPositive = Make(
            "UNETR015", "Size must be positive",
            "{0} must be positive; got {1}");

        public static readonly DiagnosticDescriptor DropoutRange = Make(
            "UNETR016", "Dropout outside [0, 1]",
            "Dropout {0} is outside [0, 1]");

        public static readonly DiagnosticDescriptor LayoutCannotExpress = Make(
            "UNETR017", "Option not expressible in the chosen layout",
            "The {0} layout cannot express {1} = {2}: {3}");

        public static readonly DiagnosticDescriptor TooLarge = Make(
            "UNETR018", "Network too large",
            "{0} = {1} is too large: the network's {2} would overflow a 64-bit count");

        public static readonly DiagnosticDescriptor UndefinedEnumValue = Make(
            "UNETR019", "Enum value not defined",
            "{0} = {1} is not a defined {2} value; use {3}");

        public static readonly DiagnosticDescriptor NotExtensible = Make(
            "UNETR020", "UNETR class cannot become a module",
            "'{0}' cannot become the generated TorchSharp Module<Tensor, Tensor>: it {1}");

        public static readonly DiagnosticDescriptor SweepUnknownProperty = Make(
            "UNETR021", "Sweep names no attribute property",
            "[Sweep] names {0}, which {1}; use one of {2}, e.g. nameof(EncoderAttribute.Depth) or \"Encoder.Depth\"");

        public static readonly DiagnosticDescriptor SweepValueType = Make(
            "UNETR022", "Sweep value of the wrong type",
            "[Sweep({0})] value {1} is {2}; {0} takes {3}");

        public static readonly DiagnosticDescriptor SweepVariantInvalid = Make(
            "UNETR023", "Sweep variant is impossible",
            "Sweep variant '{0}' ({1}) is impossible: {3} ({2})");

        public static readonly DiagnosticDescriptor SweepNameClash = Make(
            "UNETR024", "Sweep variant name clashes",
            "Sweep variant '{0}' ({1}) cannot be generated: {2}");

        public static readonly DiagnosticDescriptor SweepChangesNothing = Make(
            "UNETR025", "Sweep changes nothing",
            "{0} {1}");

        public static readonly DiagnosticDescriptor SweepWithMalformed = Make(
            "UNETR026", "Sweep companion settings malformed",
            "[Sweep] With must list property names and values in pairs, e.g. With = new object[] {{ nameof(DecoderAttribute.Widths), new[] {{ 8, 16, 32 }} }}, but {0}");

        /// <summary>All descriptors, for lookup by ID and for tests that check each has a test.</summary>
        public static readonly IReadOnlyList<DiagnosticDescriptor> All = new[]
        {
            NotPartial, GenericContext, MissingAttribute, MissingArgument, ImageSizeRank, SpatialDimsMismatch,
            PatchSizeInvalid, ImageNotDivisible, HeadsDoNotDivide, ExtractLayerCount, ExtractLayerRange,
            ExtractLayerOrder, ExtractLayerLast, WidthCount, NotPositive, DropoutRange, LayoutCannotExpress, TooLarge,
            UndefinedEnumValue, NotExtensible, SweepUnknownProperty, SweepValueType, SweepVariantInvalid, SweepNameClash,
            SweepChangesNothing, SweepWithMalformed,
        };

        private static readonly Dictionary<string, DiagnosticDescriptor> ById = All.ToDictionary(d => d.Id);

        public static DiagnosticDescriptor Get(string id) => ById[id];

        private static DiagnosticDescriptor Make(string id, string title, string message) =>
            new DiagnosticDescriptor(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
                helpLinkUri: HelpRoot + id + ".md");
    }
}
