using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Unetr.Generators.Diagnostics;
using Unetr.Generators.Model;
using static Unetr.Generators.Parsing.AttributeNames;
using Unetr.Generators.Validation;

namespace Unetr.Generators.Parsing
{
    /// <summary>
    /// Turns a class carrying [Unetr] into a <see cref="ParsedDeclaration"/>: the only step that touches symbols.
    /// Every default is resolved here, per layout, so that later steps see plain numbers.
    /// </summary>
    internal static class DeclarationParser
    {
        public static ParsedDeclaration Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            var symbol = (INamedTypeSymbol)context.TargetSymbol;
            var syntax = (TypeDeclarationSyntax)context.TargetNode;
            var classLocation = LocationInfo.From(syntax.Identifier.GetLocation());
            var diagnostics = new List<DiagnosticInfo>();

            CheckDeclarationContext(symbol, syntax, classLocation, diagnostics, cancellationToken);
            CheckExtensible(symbol, context.SemanticModel, classLocation, diagnostics, cancellationToken);

            var readers = new Dictionary<string, AttributeReader>();
            var sweeps = new List<AttributeData>();
            var grid = false;
            foreach (var attribute in symbol.GetAttributes())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var name = ShortName(attribute.AttributeClass);
                if (name == AttributeNames.Sweep)
                {
                    sweeps.Add(attribute);
                }
                else if (name == AttributeNames.SweepGrid)
                {
                    grid = true;
                }
                else if (name is not null && !readers.ContainsKey(name))
                {
                    readers[name] = AttributeReader.Read(name, attribute, cancellationToken);
                }
            }

            var sites = new DeclarationSites(classLocation, readers.Values.Select(r => r.Site).ToEquatableArray());
            foreach (var (required, example) in RequiredCompanions)
            {
                if (!readers.ContainsKey(required))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingAttribute, sites.Locate(AttributeNames.Unetr), symbol.Name, required, example));
                }
            }

            var spec = BuildSpec(Target(symbol), readers, sites, diagnostics);
            var sweepSet = sweeps.Count == 0
                ? null
                : SweepParser.Parse(symbol, spec, readers, classLocation, sweeps, grid,
                    (target, changed, changedSites) => BuildSpec(target, changed, changedSites, new List<DiagnosticInfo>()), cancellationToken);
            return new ParsedDeclaration(spec, sites, diagnostics.ToEquatableArray(), sweepSet);
        }

        private static readonly (string Name, string Example)[] RequiredCompanions =
        {
            (AttributeNames.PatchEmbedding, "PatchSize = 16"),
            (AttributeNames.Encoder, "EmbedDim = 768, Depth = 12, Heads = 12"),
            (AttributeNames.Decoder, "Widths = new[] { 16, 32, 64, 128 }"),
        };

        private static UnetrSpec BuildSpec(
            TypeTarget target,
            Dictionary<string, AttributeReader> readers,
            DeclarationSites sites,
            List<DiagnosticInfo> diagnostics)
        {
            var unetr = readers[AttributeNames.Unetr];
            readers.TryGetValue(AttributeNames.PatchEmbedding, out var patch);
            readers.TryGetValue(AttributeNames.Encoder, out var encoder);
            readers.TryGetValue(AttributeNames.Decoder, out var decoder);

            var layout = (Layout)(unetr.Enum(UnetrArguments.Layout) ?? (int)Layout.Monai);
            var seed = layout == Layout.Seed;

            var imageSize = Required(unetr, UnetrArguments.ImageSize, unetr.IntArray(UnetrArguments.ImageSize), "new[] { 96, 96, 96 } for 3D or new[] { 256, 256 } for 2D", sites, diagnostics)
                ?? EquatableArray<int>.Empty;
            var inChannels = Required(unetr, UnetrArguments.InChannels, unetr.Int(UnetrArguments.InChannels), "the input image's channel count, e.g. 1", sites, diagnostics) ?? 1;
            var outChannels = Required(unetr, UnetrArguments.OutChannels, unetr.Int(UnetrArguments.OutChannels), "the number of output classes, e.g. 14", sites, diagnostics) ?? 1;

            var patchSize = patch?.Int(PatchEmbeddingArguments.PatchSize) ?? 16;
            var embedDim = encoder?.Int(EncoderArguments.EmbedDim) ?? 768;
            var depth = encoder?.Int(EncoderArguments.Depth) ?? 12;
            var stages = Rules.StagesFor(patchSize);

            // A missing Widths (UNETR004) falls back to the defaults so that nothing else is reported about it; an explicit
            // null is an array with no entries (UNETR014), as ImageSize = null is one with no entries (UNETR005).
            var widths = decoder is null
                ? Rules.DefaultWidths(stages)
                : Required(decoder, DecoderArguments.Widths, decoder.IntArray(DecoderArguments.Widths), "stage widths, e.g. new[] { 16, 32, 64, 128 } for patch 16", sites, diagnostics)
                    ?? (decoder.Has(DecoderArguments.Widths) ? EquatableArray<int>.Empty : Rules.DefaultWidths(stages));

            return new UnetrSpec(
                target,
                layout,
                imageSize,
                SpatialDims: unetr.Int(UnetrArguments.SpatialDims) ?? imageSize.Count,
                InChannels: inChannels,
                OutChannels: outChannels,
                PatchSize: patchSize,
                Projection: (Projection)(patch?.Enum(PatchEmbeddingArguments.Projection) ?? (int)Projection.Conv),
                EmbedDim: embedDim,
                Depth: depth,
                Heads: encoder?.Int(EncoderArguments.Heads) ?? 12,
                MlpDim: encoder?.Int(EncoderArguments.MlpDim) ?? (seed ? 2048 : (int)Math.Min(4L * embedDim, int.MaxValue)),
                ExtractLayers: encoder?.IntArray(EncoderArguments.ExtractLayers) ?? Rules.DefaultExtractLayers(layout, depth, stages),
                Dropout: encoder?.Double(EncoderArguments.Dropout) ?? 0.0,
                FinalNorm: encoder?.Bool(EncoderArguments.FinalNorm) ?? !seed,
                QkvBias: encoder?.Bool(EncoderArguments.QkvBias) ?? seed,
                Activation: (Activation)(encoder?.Enum(EncoderArguments.Activation) ?? (int)(seed ? Activation.Relu : Activation.Gelu)),
                Widths: widths,
                // Never 0 for the seed layout: with no widths (already UNETR014) a 0 would be reported again as UNETR015.
                StemWidth: decoder?.Int(DecoderArguments.StemWidth) ?? (seed ? Math.Max(1, widths.Count > 0 ? widths[0] / 2 : 1) : 0),
                Norm: (Norm)(decoder?.Enum(DecoderArguments.Norm) ?? (int)(seed ? Norm.Batch : Norm.Instance)),
                Residual: decoder?.Bool(DecoderArguments.Residual) ?? !seed,
                EncoderCheckpointing: encoder?.Bool(EncoderArguments.Checkpointing) ?? false,
                DecoderCheckpointing: decoder?.Bool(DecoderArguments.Checkpointing) ?? false);
        }

        private static T? Required<T>(
            AttributeReader reader,
            string argument,
            T? value,
            string hint,
            DeclarationSites sites,
            List<DiagnosticInfo> diagnostics)
            where T : struct
        {
            if (value is null && !reader.Has(argument))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingArgument, sites.Locate(reader.Name), reader.Name, argument, hint));
            }

            return value;
        }

        private static void CheckDeclarationContext(
            INamedTypeSymbol symbol,
            TypeDeclarationSyntax syntax,
            LocationInfo? classLocation,
            List<DiagnosticInfo> diagnostics,
            CancellationToken cancellationToken)
        {
            if (!syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotPartial, classLocation, symbol.Name));
            }

            // IsGenericType is also true for a type nested in a generic one: name the type that declares the parameters.
            var generic = symbol.TypeParameters.Length > 0 ? symbol : null;
            for (var outer = symbol.ContainingType; outer is not null; outer = outer.ContainingType)
            {
                if (generic is null && outer.TypeParameters.Length > 0)
                {
                    generic = outer;
                }

                var outerSyntax = outer.DeclaringSyntaxReferences
                    .Select(r => r.GetSyntax(cancellationToken))
                    .OfType<TypeDeclarationSyntax>()
                    .ToList();
                if (outerSyntax.Count > 0 && !outerSyntax.Any(s => s.Modifiers.Any(SyntaxKind.PartialKeyword)))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotPartial, LocationInfo.From(outerSyntax[0].Identifier.GetLocation()), outer.Name));
                }
            }

            if (generic is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GenericContext, classLocation, symbol.Name, generic.Name));
            }
        }

        /// <summary>
        /// The generated half declares the base class Module&lt;Tensor, Tensor&gt;, instance fields and a constructor, and lives
        /// in a file of its own: none of which a static, file-local or record class, or one with another base class, allows.
        /// </summary>
        private static void CheckExtensible(
            INamedTypeSymbol symbol,
            SemanticModel model,
            LocationInfo? classLocation,
            List<DiagnosticInfo> diagnostics,
            CancellationToken cancellationToken)
        {
            void Report(string problem) => diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotExtensible, classLocation, symbol.Name, problem));

            if (symbol.IsStatic)
            {
                Report("is static; remove 'static'");
            }

            if (symbol.IsFileLocal)
            {
                Report("is file-local, so the generated file cannot add to it; remove 'file'");
            }

            if (symbol.IsRecord)
            {
                Report("is a record; declare a partial class");
            }

            // Read from the base lists rather than symbol.BaseType: an explicit ': object' is a base class too.
            foreach (var reference in symbol.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax(cancellationToken) is not TypeDeclarationSyntax { BaseList: { } baseList } part)
                {
                    continue;
                }

                var partModel = part.SyntaxTree == model.SyntaxTree ? model : model.Compilation.GetSemanticModel(part.SyntaxTree);
                foreach (var baseType in baseList.Types)
                {
                    if (partModel.GetTypeInfo(baseType.Type, cancellationToken).Type is INamedTypeSymbol { TypeKind: TypeKind.Class } type
                        && type.ToDisplayString() != NetworkBaseClass)
                    {
                        Report("derives from '" + type.ToDisplayString() + "'; remove the base class, the generated half declares Module<Tensor, Tensor>");
                    }
                }
            }
        }

        /// <summary>The base class the generated half declares; the user may repeat it.</summary>
        private const string NetworkBaseClass = "TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>";

        private static TypeTarget Target(INamedTypeSymbol symbol)
        {
            var containing = new List<ContainingType>();
            for (var outer = symbol.ContainingType; outer is not null; outer = outer.ContainingType)
            {
                containing.Insert(0, new ContainingType(Keyword(outer), outer.Name));
            }

            // Plain names, not ToDisplayString(): that writes a keyword segment as "@event", and '@' is not allowed in a
            // hint name (AddSource throws). The emitter escapes names where C# needs it.
            var segments = new List<string>();
            for (var n = symbol.ContainingNamespace; n is { IsGlobalNamespace: false }; n = n.ContainingNamespace)
            {
                segments.Insert(0, n.Name);
            }

            var ns = string.Join(".", segments);
            return new TypeTarget(ns, containing.ToEquatableArray(), symbol.Name, Catalogued(symbol));
        }

        /// <summary>The assembly's catalog (a top-level internal class) can write <c>new T()</c>.</summary>
        private static bool Catalogued(INamedTypeSymbol symbol)
        {
            if (symbol.IsAbstract || symbol.IsStatic)
            {
                return false;
            }

            for (var type = symbol; type is not null; type = type.ContainingType)
            {
                if (type.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal))
                {
                    return false;
                }
            }

            return true;
        }

        private static string Keyword(INamedTypeSymbol type) => (type.IsRecord, type.TypeKind) switch
        {
            (true, TypeKind.Struct) => "record struct",
            (true, _) => "record",
            (false, TypeKind.Struct) => "struct",
            (false, TypeKind.Interface) => "interface",
            _ => "class",
        };

        private static string? ShortName(INamedTypeSymbol? attributeClass)
        {
            if (attributeClass is null || attributeClass.ContainingNamespace?.ToDisplayString() != "Unetr.Dsl")
            {
                return null;
            }

            return attributeClass.Name switch
            {
                "UnetrAttribute" => AttributeNames.Unetr,
                "PatchEmbeddingAttribute" => AttributeNames.PatchEmbedding,
                "EncoderAttribute" => AttributeNames.Encoder,
                "DecoderAttribute" => AttributeNames.Decoder,
                "SweepAttribute" => AttributeNames.Sweep,
                "SweepGridAttribute" => AttributeNames.SweepGrid,
                _ => null,
            };
        }

    }
}
