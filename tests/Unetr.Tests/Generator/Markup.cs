using Microsoft.CodeAnalysis.Text;

namespace Unetr.Tests.Generator;

/// <summary>Source with one span marked as <c>[|…|]</c>: where a diagnostic is expected.</summary>
internal sealed record Markup(string Source, TextSpan Span)
{
    public static Markup Parse(string marked)
    {
        var start = marked.IndexOf("[|", System.StringComparison.Ordinal);
        var end = marked.IndexOf("|]", System.StringComparison.Ordinal);
        if (start < 0 || end < start)
        {
            throw new System.ArgumentException("Mark the expected span with [| and |].", nameof(marked));
        }

        var source = marked.Remove(end, 2).Remove(start, 2);
        return new Markup(source, TextSpan.FromBounds(start, end - 2));
    }
}
