using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using Unetr.Generators.Describe;
using Unetr.Generators.Diagnostics;
using Unetr.Generators.Emit;
using Unetr.Generators.Model;
using Unetr.Generators.Parsing;
using Unetr.Generators.Validation;

namespace Unetr.Generators
{
    /// <summary>
    /// Parse (symbols → spec) → Validate (spec → diagnostics, and for a valid spec its network's descriptor) → Emit
    /// (descriptor → source). Diagnostics and emission are separate streams so that a change touching only locations
    /// leaves the emitted source cached. The valid networks' names are also collected into the assembly's catalog.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class UnetrGenerator : IIncrementalGenerator
    {
        /// <inheritdoc />
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var validated = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    AttributeNames.UnetrMetadataName,
                    // Records too: [Unetr] may be applied to a record class, which the parser then rejects (UNETR020).
                    static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                    static (ctx, ct) => DeclarationParser.Parse(ctx, ct))
                .WithTrackingName(StepNames.Parse)
                .Select(static (declaration, _) => SpecValidator.Validate(declaration))
                .WithTrackingName(StepNames.Validate);

            var diagnostics = validated
                .Select(static (declaration, _) => declaration.Diagnostics)
                .WithTrackingName(StepNames.Diagnostics);
            context.RegisterSourceOutput(diagnostics, static (spc, found) =>
            {
                foreach (var info in found)
                {
                    spc.ReportDiagnostic(Diagnostic.Create(
                        DiagnosticDescriptors.Get(info.Id),
                        info.Location?.ToLocation() ?? Location.None,
                        additionalLocations: null,
                        properties: info.Properties.ToImmutableDictionary(p => p.Key, p => (string?)p.Value),
                        info.MessageArgs.Cast<object>().ToArray()));
                }
            });

            // A declaration's network, then the variants its [Sweep]s expand to.
            var networks = validated
                .SelectMany(static (declaration, _) => declaration.Network is null
                    ? ImmutableArray<NetworkDescriptor>.Empty
                    : ImmutableArray.Create(declaration.Network).AddRange(declaration.Variants))
                .WithTrackingName(StepNames.ValidNetworks);
            var files = networks
                .Select(static (network, _) => NetworkEmitter.Emit(network))
                .WithTrackingName(StepNames.Emit);
            context.RegisterSourceOutput(files, static (spc, file) =>
                spc.AddSource(file.HintName, SourceText.From(file.Source, System.Text.Encoding.UTF8)));

            // One catalog per assembly. Its entries are the networks' names only, so an attribute edit that keeps the name
            // leaves the collected list equal and the catalog cached.
            var assemblyName = context.CompilationProvider.Select(static (compilation, _) => compilation.AssemblyName);
            var catalog = networks
                .Where(static network => network.Target.Catalogued)
                .Select(static (network, _) => network.Target)
                .WithTrackingName(StepNames.CatalogEntries)
                .Collect()
                .Combine(assemblyName)
                .Select(static (pair, _) => CatalogDescriber.Describe(pair.Left, pair.Right))
                .WithTrackingName(StepNames.Catalog)
                .Select(static (descriptor, _) => descriptor.Networks.Count == 0 ? null : CatalogEmitter.Emit(descriptor))
                .WithTrackingName(StepNames.EmitCatalog);
            context.RegisterSourceOutput(catalog, static (spc, file) =>
            {
                if (file is not null)
                {
                    spc.AddSource(file.HintName, SourceText.From(file.Source, System.Text.Encoding.UTF8));
                }
            });
        }
    }
}
