using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Unetr.Generators.Model
{
    /// <summary>A source location as plain values: safe to keep in a pipeline without rooting a compilation.</summary>
    internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
    {
        public static LocationInfo? From(Location? location)
        {
            if (location is null || location.SourceTree is null)
            {
                return null;
            }

            return new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
        }

        public static LocationInfo? From(SyntaxNode? node) => node is null ? null : From(node.GetLocation());

        public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);
    }
}
