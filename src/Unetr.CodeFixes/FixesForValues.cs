using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Unetr.CodeFixes
{
    /// <summary>UNETR008: rounds the offending <c>ImageSize</c> element to the nearest multiple of the patch size.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RoundImageSizeCodeFix)), Shared]
    public sealed class RoundImageSizeCodeFix : SuggestedValueCodeFix
    {
        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create("UNETR008");

        /// <inheritdoc />
        protected override string Title(string value) => $"Round to {value}, a multiple of the patch size";

        private protected override SyntaxNode? Apply(SyntaxNode root, SyntaxNode node, string? argument, string value) =>
            node is ExpressionSyntax element && element.Parent is InitializerExpressionSyntax or ExpressionElementSyntax
                ? root.ReplaceNode(element, SyntaxFactory.ParseExpression(value).WithTriviaFrom(element))
                : null;
    }

    /// <summary>UNETR009: sets <c>Heads</c> to the divisor of <c>EmbedDim</c> nearest to it.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(NearestHeadsCodeFix)), Shared]
    public sealed class NearestHeadsCodeFix : SuggestedValueCodeFix
    {
        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create("UNETR009");

        /// <inheritdoc />
        protected override string Title(string value) => $"Set Heads to {value}, a divisor of EmbedDim";

        private protected override SyntaxNode? Apply(SyntaxNode root, SyntaxNode node, string? argument, string value) =>
            argument is null ? null : SetArgument(root, node, argument, _ => SyntaxFactory.ParseExpression(value));
    }

    /// <summary>
    /// UNETR010–013: replaces <c>ExtractLayers</c> by evenly spaced layers of the right count ending at <c>Depth</c>, the
    /// layout's own default; whatever the entry at fault, the whole list is what changes.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(EvenlySpacedExtractLayersCodeFix)), Shared]
    public sealed class EvenlySpacedExtractLayersCodeFix : SuggestedValueCodeFix
    {
        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create("UNETR010", "UNETR011", "UNETR012", "UNETR013");

        /// <inheritdoc />
        protected override string Title(string value) => $"Use evenly spaced ExtractLayers {{ {value} }}";

        private protected override SyntaxNode? Apply(SyntaxNode root, SyntaxNode node, string? argument, string value) =>
            argument is null ? null : SetArgument(root, node, argument, written => List(written, value));

        /// <summary>Keeps the user's spelling: a collection expression stays one, anything else becomes <c>new[] { … }</c>.</summary>
        private static ExpressionSyntax List(ExpressionSyntax? written, string values) =>
            SyntaxFactory.ParseExpression(written is CollectionExpressionSyntax ? $"[{values}]" : $"new[] {{ {values} }}");
    }
}
