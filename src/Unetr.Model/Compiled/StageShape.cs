namespace Unetr.Model.Compiled;

/// <summary>The per-sample output shape (no batch axis) of one named step of a generated network's forward, proven at build time.</summary>
/// <param name="Name">The step's name, as passed to <see cref="ICompiledNetwork.StageObserver"/>.</param>
/// <param name="Shape">Channels then spatial sizes.</param>
public sealed record StageShape(string Name, System.Collections.Generic.IReadOnlyList<long> Shape)
{
    /// <inheritdoc />
    public override string ToString() => $"{Name} [B, {string.Join(", ", Shape)}]";
}
