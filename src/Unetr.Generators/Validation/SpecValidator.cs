using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Unetr.Generators.Diagnostics;
using Unetr.Generators.Describe;
using Unetr.Generators.Model;
using static Unetr.Generators.Parsing.AttributeNames;
using Unetr.Generators.Parsing;

namespace Unetr.Generators.Validation
{
    /// <summary>
    /// Every rule that makes a declared network impossible. Pure: a spec and where it was written in, diagnostics out.
    /// A rule that depends on another value checks it only when that value is itself valid, so one mistake gives one error.
    /// </summary>
    internal static class SpecValidator
    {
        private const string Unetr = AttributeNames.Unetr;
        private const string Patch = AttributeNames.PatchEmbedding;
        private const string Encoder = AttributeNames.Encoder;
        private const string Decoder = AttributeNames.Decoder;

        public static ValidatedDeclaration Validate(ParsedDeclaration declaration)
        {
            var spec = declaration.Spec;
            var sites = declaration.Sites;
            var problems = new List<DiagnosticInfo>(declaration.Diagnostics);

            var imageValid = CheckImage(spec, sites, problems);
            CheckPositive(problems, sites, Unetr, UnetrArguments.InChannels, spec.InChannels);
            CheckPositive(problems, sites, Unetr, UnetrArguments.OutChannels, spec.OutChannels);

            // Without [PatchEmbedding] (already UNETR003) the patch size is a guess: checking sizes, extract layers and
            // widths against it would report the missing attribute again, once per dependent rule.
            var patchKnown = sites.HasAttribute(Patch);
            var stages = patchKnown ? Rules.StagesFor(spec.PatchSize) : 0;
            if (patchKnown && stages == 0)
            {
                problems.Add(DiagnosticInfo.Create(DiagnosticDescriptors.PatchSizeInvalid, sites.Locate(Patch, PatchEmbeddingArguments.PatchSize), spec.PatchSize));
            }
            else if (stages > 0 && imageValid)
            {
                CheckDivisible(spec, sites, problems);
            }

            CheckEncoder(spec, sites, stages, problems);
            CheckDecoder(spec, sites, stages, problems);

            if (double.IsNaN(spec.Dropout) || spec.Dropout < 0 || spec.Dropout > 1)
            {
                problems.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DropoutRange, sites.Locate(Encoder, EncoderArguments.Dropout), spec.Dropout.ToString("R", CultureInfo.InvariantCulture)));
            }

            CheckEnums(spec, sites, problems);
            CheckLayout(spec, sites, problems);

            // The network is described once, here, only for a spec that obeys every rule above; the emitter renders
            // this same descriptor.
            var network = problems.Count == 0 ? Describe(spec, sites, problems) : null;
            if (network is not null)
            {
                CheckMemberNames(network, sites, problems);
            }

            var variants = declaration.Sweeps is { } sweeps ? ValidateSweeps(sweeps, problems) : new List<NetworkDescriptor>();
            return new ValidatedDeclaration(
                problems.Count == 0 ? network : null,
                problems.ToEquatableArray(),
                problems.Count == 0 ? variants.ToEquatableArray() : EquatableArray<NetworkDescriptor>.Empty);
        }

        /// <summary>
        /// Each variant obeys every rule a declaration does; a rule it breaks is reported on the [Sweep] value that made it,
        /// naming the variant, its settings and the rule. Variants of an invalid baseline are not checked: each would
        /// repeat the baseline's own errors.
        /// </summary>
        private static List<NetworkDescriptor> ValidateSweeps(SweepSet sweeps, List<DiagnosticInfo> problems)
        {
            var valid = new List<NetworkDescriptor>();
            var baselineValid = problems.Count == 0;
            problems.AddRange(sweeps.Diagnostics);
            if (!baselineValid || sweeps.Diagnostics.Count > 0)
            {
                return valid;
            }

            foreach (var variant in sweeps.Variants)
            {
                var result = Validate(new ParsedDeclaration(variant.Spec, variant.Sites, EquatableArray<DiagnosticInfo>.Empty));
                if (result.Network is not null)
                {
                    valid.Add(result.Network);
                    continue;
                }

                var target = variant.Spec.Target;
                foreach (var inner in result.Diagnostics)
                {
                    var rule = string.Format(CultureInfo.InvariantCulture, DiagnosticDescriptors.Get(inner.Id).MessageFormat.ToString(CultureInfo.InvariantCulture), inner.MessageArgs.Cast<object>().ToArray());
                    problems.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SweepVariantInvalid, variant.Location,
                        target.Sweep!.Baseline + "." + target.ClassName, target.Sweep.Combination, inner.Id, rule));
                }
            }

            return valid;
        }

        private static bool CheckImage(UnetrSpec spec, DeclarationSites sites, List<DiagnosticInfo> problems)
        {
            if (!sites.Has(Unetr, UnetrArguments.ImageSize))
            {
                return false;
            }

            var rank = spec.ImageSize.Count;
            if (rank != 2 && rank != 3)
            {
                problems.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ImageSizeRank, sites.Locate(Unetr, UnetrArguments.ImageSize), rank));
                return false;
            }

            if (spec.SpatialDims != rank)
            {
                problems.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SpatialDimsMismatch, sites.Locate(Unetr, UnetrArguments.SpatialDims), spec.SpatialDims, rank));
            }

            var valid = true;
            for (var i = 0; i < rank; i++)
            {
                if (spec.ImageSize[i] <= 0)
                {
                    problems.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotPositive, sites.LocateElement(Unetr, UnetrArguments.ImageSize, i), $"ImageSize[{i}]", spec.ImageSize[i]));
                    valid = false;
                }
            }

            return valid;
        }

        private static void CheckDivisible(UnetrSpec spec, DeclarationSites sites, List<DiagnosticInfo> problems)
        {
            for (var i = 0; i < spec.ImageSize.Count; i++)
            {
                var size = spec.ImageSize[i];
                if (size % spec.PatchSize != 0)
                {
                    var below = Math.Max(spec.PatchSize, size / spec.PatchSize * spec.PatchSize);
                    var above = (size / spec.PatchSize + 1L) * spec.PatchSize;
                    problems.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ImageNotDivisible, sites.LocateElement(Unetr, UnetrArguments.ImageSize, i), i, size, spec.PatchSize, below, above)
                        .With(FixProperties.Replacement, Number(Rules.NearestMultiple(size, spec.PatchSize))));
                }
            }
        }

        private static void CheckEncoder(UnetrSpec spec, DeclarationSites sites, int stages, List<DiagnosticInfo> problems)
        {
            var embedValid = CheckPositive(problems, sites, Encoder, EncoderArguments.EmbedDim, spec.EmbedDim);
            var depthValid = CheckPositive(problems, sites, Encoder, EncoderArguments.Depth, spec.Depth);
            var headsValid = CheckPositive(problems, sites, Encoder, EncoderArguments.Heads, spec.Heads);

            // MONAI's default MlpDim is 4 × EmbedDim: a bad EmbedDim must not be reported a second time through it.
            if (embedValid || sites.Has(Encoder, EncoderArguments.MlpDim))
            {
                CheckPositive(problems, sites, Encoder, EncoderArguments.MlpDim, spec.MlpDim);
            }

            if (embedValid && headsValid && spec.EmbedDim % spec.Heads != 0)
            {
                var nearest = string.Join(" or ", Rules.NearestDivisors(spec.EmbedDim, spec.Heads));
                problems.Add(DiagnosticInfo.Create(DiagnosticDescriptors.HeadsDoNotDivide, sites.Locate(Encoder, EncoderArguments.Heads), spec.EmbedDim, spec.Heads, nearest)
                    .With(FixProperties.Argument, EncoderArguments.Heads)
                    .With(FixProperties.Replacement, Number(Rules.NearestDivisor(spec.EmbedDim, spec.Heads))));
            }

            if (stages == 0 || !depthValid)
            {
                return;
            }

            var layers = spec.ExtractLayers;
            var evenlySpaced = Rules.DefaultExtractLayers(spec.Layout, spec.Depth, stages);

            // Every extract-layer mistake has the same fix: the evenly spaced layers of the right count, when there are
            // enough blocks for a strictly increasing list.
            DiagnosticInfo Fixable(DiagnosticInfo info) => spec.Depth < stages
                ? info
                : info.With(FixProperties.Argument, EncoderArguments.ExtractLayers).With(FixProperties.Replacement, string.Join(", ", evenlySpaced.Select(Number)));

            if (layers.Count != stages)
            {
                problems.Add(Fixable(DiagnosticInfo.Create(DiagnosticDescriptors.ExtractLayerCount, sites.Locate(Encoder, EncoderArguments.ExtractLayers), layers.Count, spec.PatchSize, stages, List(evenlySpaced))));
                return;
            }

            bool InRange(int layer) => layer >= 1 && layer <= spec.Depth;

            var inRange = true;
            for (var i = 0; i < layers.Count; i++)
            {
                if (!InRange(layers[i]))
                {
                    problems.Add(Fixable(DiagnosticInfo.Create(DiagnosticDescriptors.ExtractLayerRange, sites.LocateElement(Encoder, EncoderArguments.ExtractLayers, i), layers[i], spec.Depth)));
                    inRange = false;
                }
                // An entry after an out-of-range one (already UNETR011) is compared with nothing: { 99, 2, 3, 4 } is one mistake.
                else if (i > 0 && InRange(layers[i - 1]) && layers[i] <= layers[i - 1])
                {
                    problems.Add(Fixable(DiagnosticInfo.Create(DiagnosticDescriptors.ExtractLayerOrder, sites.LocateElement(Encoder, EncoderArguments.ExtractLayers, i), layers[i], layers[i - 1])));
                    inRange = false;
                }
            }

            var last = layers.Count - 1;
            if (inRange && layers[last] != spec.Depth)
            {
                problems.Add(Fixable(DiagnosticInfo.Create(DiagnosticDescriptors.ExtractLayerLast, sites.LocateElement(Encoder, EncoderArguments.ExtractLayers, last), layers[last], spec.Depth)));
            }
        }

        private static void CheckDecoder(UnetrSpec spec, DeclarationSites sites, int stages, List<DiagnosticInfo> problems)
        {
            if (stages > 0 && sites.Has(Decoder, DecoderArguments.Widths) && spec.Widths.Count != stages)
            {
                var example = Rules.DefaultWidths(stages);
                problems.Add(DiagnosticInfo.Create(DiagnosticDescriptors.WidthCount, sites.Locate(Decoder, DecoderArguments.Widths), spec.Widths.Count, spec.PatchSize, stages, List(example)));
            }

            for (var i = 0; i < spec.Widths.Count; i++)
            {
                if (spec.Widths[i] <= 0)
                {
                    problems.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotPositive, sites.LocateElement(Decoder, DecoderArguments.Widths, i), $"Widths[{i}]", spec.Widths[i]));
                }
            }

            if (spec.Layout == Layout.Seed)
            {
                CheckPositive(problems, sites, Decoder, DecoderArguments.StemWidth, spec.StemWidth);
            }
        }

        /// <summary>
        /// An enum argument accepts any int through a cast, e.g. (NormKind)7; the emitter could only write it as NormKind.7.
        /// </summary>
        private static void CheckEnums(UnetrSpec spec, DeclarationSites sites, List<DiagnosticInfo> problems)
        {
            void Check<TEnum>(string attribute, string argument, TEnum value, string publicName)
                where TEnum : struct
            {
                if (!Enum.IsDefined(typeof(TEnum), value))
                {
                    var names = string.Join(" or ", Enum.GetNames(typeof(TEnum)).Select(n => publicName + "." + n));
                    problems.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UndefinedEnumValue, sites.Locate(attribute, argument), argument, Convert.ToInt32(value, CultureInfo.InvariantCulture), publicName, names));
                }
            }

            Check(Unetr, UnetrArguments.Layout, spec.Layout, "UnetrLayout");
            Check(Patch, PatchEmbeddingArguments.Projection, spec.Projection, "PatchProjection");
            Check(Encoder, EncoderArguments.Activation, spec.Activation, "MlpActivation");
            Check(Decoder, DecoderArguments.Norm, spec.Norm, "NormKind");
        }

        private static void CheckLayout(UnetrSpec spec, DeclarationSites sites, List<DiagnosticInfo> problems)
        {
            // An undefined layout is already UNETR019; what it could or could not express is unknown.
            if (!Enum.IsDefined(typeof(Layout), spec.Layout))
            {
                return;
            }

            void CannotExpress(string attribute, string argument, object value, string reason) =>
                problems.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayoutCannotExpress, sites.Locate(attribute, argument), spec.Layout, argument, value, reason));

            if (spec.Layout == Layout.Seed)
            {
                // Compared with the one value the seed cannot express, so that an undefined value is only UNETR019.
                if (spec.Projection == Projection.Perceptron)
                {
                    CannotExpress(Patch, PatchEmbeddingArguments.Projection, spec.Projection, "its patch embedding is a convolution (transformer.embeddings.patch_embeddings); use Projection = PatchProjection.Conv or Layout = UnetrLayout.Monai");
                }

                if (spec.Norm == Norm.Instance)
                {
                    CannotExpress(Decoder, DecoderArguments.Norm, spec.Norm, "its decoder blocks use BatchNorm; use Norm = NormKind.Batch or Layout = UnetrLayout.Monai");
                }

                if (spec.Residual)
                {
                    CannotExpress(Decoder, DecoderArguments.Residual, "true", "its decoder blocks are plain conv-BN-ReLU; remove Residual or use Layout = UnetrLayout.Monai");
                }

                if (!spec.QkvBias)
                {
                    CannotExpress(Encoder, EncoderArguments.QkvBias, "false", "its query, key and value layers always have biases; remove QkvBias or use Layout = UnetrLayout.Monai");
                }
            }
            else if (sites.Has(Decoder, DecoderArguments.StemWidth))
            {
                CannotExpress(Decoder, DecoderArguments.StemWidth, spec.StemWidth, "its encoder1 goes straight from the input to Widths[0]; remove StemWidth or use Layout = UnetrLayout.Seed");
            }
        }

        /// <summary>The network's descriptor, or null (and UNETR's too-large error) when a count overflows a long.</summary>
        private static NetworkDescriptor? Describe(UnetrSpec spec, DeclarationSites sites, List<DiagnosticInfo> problems)
        {
            try
            {
                return NetworkDescriber.Describe(spec);
            }
            catch (OverflowException)
            {
                problems.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TooLarge, sites.Locate(Unetr, UnetrArguments.ImageSize), UnetrArguments.ImageSize, List(spec.ImageSize), "parameter or multiply-add count"));
                return null;
            }
        }

        /// <summary>C# forbids a member named like its class (CS0542): a class named 'out' cannot hold the output layer 'out'.</summary>
        private static void CheckMemberNames(NetworkDescriptor network, DeclarationSites sites, List<DiagnosticInfo> problems)
        {
            var name = network.Target.ClassName;
            var clash = GeneratedMembers.All.Contains(name) || network.Modules.Any(m => m.Name == name);
            if (clash)
            {
                problems.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotExtensible, sites.ClassLocation, name, $"is named like the member '{name}' the module declares, and C# forbids a member named like its class; rename the class"));
            }
        }

        private static bool CheckPositive(List<DiagnosticInfo> problems, DeclarationSites sites, string attribute, string argument, int value)
        {
            if (value > 0)
            {
                return true;
            }

            problems.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotPositive, sites.Locate(attribute, argument), argument, value));
            return false;
        }

        private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

        private static string List(IEnumerable<int> values) => "{ " + string.Join(", ", values) + " }";
    }
}
