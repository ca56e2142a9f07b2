namespace Unetr.Generators.Diagnostics
{
    /// <summary>
    /// Keys of <c>Diagnostic.Properties</c> through which a diagnostic hands its IDE code fix the corrected value, so that
    /// the fix (in Unetr.CodeFixes, which links this file) never recomputes a rule.
    /// </summary>
    internal static class FixProperties
    {
        /// <summary>The value to write, as C# source: <c>48</c> for one size or head count, <c>3, 6, 9, 12</c> for a list.</summary>
        public const string Replacement = "Unetr.Replacement";

        /// <summary>The argument the replacement is for; the fix adds it when the diagnostic is on an attribute that lacks it.</summary>
        public const string Argument = "Unetr.Argument";
    }
}
