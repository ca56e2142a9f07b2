namespace Unetr.Generators.Model
{
    /// <summary>A diagnostic as plain values: descriptor ID, where, and the message arguments.</summary>
    internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> MessageArgs);
}
