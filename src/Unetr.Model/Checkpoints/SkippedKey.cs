namespace Unetr.Model.Checkpoints
{
    /// <summary>A checkpoint key the loader recognised as unused by UNETR and deliberately did not load.</summary>
    /// <param name="Key">The state_dict key.</param>
    /// <param name="Reason">Why the key exists in such checkpoints and why UNETR does not need it.</param>
    public sealed record SkippedKey(string Key, string Reason);
}
