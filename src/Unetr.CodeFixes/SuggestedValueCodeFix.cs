using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Unetr.Generators.Diagnostics;

namespace Unetr.CodeFixes
{
    /// <summary>
    /// Writes the value a diagnostic suggests (its <c>Unetr.Replacement</c> property) where the diagnostic points: the
    /// generator computed it, so a fix never repeats a rule. Subclasses say which diagnostics and what to write where.
    /// </summary>
    public abstract class SuggestedValueCodeFix : CodeFixProvider
    {
        /// <inheritdoc />
        public sealed override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        /// <inheritdoc />
        public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null)
            {
                return;
            }

            foreach (var diagnostic in context.Diagnostics)
            {
                if (!diagnostic.Properties.TryGetValue(FixProperties.Replacement, out var value) || value is null)
                {
                    continue;
                }

                var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
                diagnostic.Properties.TryGetValue(FixProperties.Argument, out var argument);
                var fixedRoot = Apply(root, node, argument, value);
                if (fixedRoot is null)
                {
                    continue;
                }

                context.RegisterCodeFix(
                    CodeAction.Create(Title(value), _ => Task.FromResult(context.Document.WithSyntaxRoot(fixedRoot)), equivalenceKey: GetType().Name),
                    diagnostic);
            }
        }

        /// <summary>The code action's title for the suggested <paramref name="value"/>.</summary>
        protected abstract string Title(string value);

        /// <summary>The fixed root, or null when the diagnostic does not point at something this fix can edit.</summary>
        private protected abstract SyntaxNode? Apply(SyntaxNode root, SyntaxNode node, string? argument, string value);

        /// <summary>
        /// Sets a named argument: replaces the value of the argument that contains <paramref name="node"/>, or adds the
        /// argument when the diagnostic is on an attribute that does not write it (the default was wrong).
        /// </summary>
        private protected static SyntaxNode? SetArgument(SyntaxNode root, SyntaxNode node, string argument, System.Func<ExpressionSyntax?, ExpressionSyntax> value)
        {
            var written = node.AncestorsAndSelf().OfType<AttributeArgumentSyntax>()
                .FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == argument);
            if (written is not null)
            {
                return root.ReplaceNode(written.Expression, value(written.Expression).WithTriviaFrom(written.Expression));
            }

            if (node is not AttributeSyntax attribute)
            {
                return null;
            }

            var equals = SyntaxFactory.Token(SyntaxKind.EqualsToken).WithLeadingTrivia(SyntaxFactory.Space).WithTrailingTrivia(SyntaxFactory.Space);
            var added = SyntaxFactory.AttributeArgument(value(null))
                .WithNameEquals(SyntaxFactory.NameEquals(SyntaxFactory.IdentifierName(argument), equals));
            var arguments = attribute.ArgumentList?.Arguments ?? default;
            var separators = Enumerable.Repeat(SyntaxFactory.Token(SyntaxKind.CommaToken).WithTrailingTrivia(SyntaxFactory.Space), arguments.Count);
            var list = SyntaxFactory.SeparatedList(arguments.Append(added), separators);
            var argumentList = (attribute.ArgumentList ?? SyntaxFactory.AttributeArgumentList()).WithArguments(list);
            return root.ReplaceNode(attribute, attribute.WithArgumentList(argumentList));
        }
    }
}
