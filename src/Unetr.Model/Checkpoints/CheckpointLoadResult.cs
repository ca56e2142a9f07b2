using System.Collections.Generic;

namespace Unetr.Model.Checkpoints
{
    /// <summary>What a strict load did.</summary>
    /// <param name="LoadedKeys">Every module key, each copied from the checkpoint (parameters and buffers).</param>
    /// <param name="SkippedKeys">Checkpoint keys recognised as unused and skipped on purpose.</param>
    public sealed record CheckpointLoadResult(IReadOnlyList<string> LoadedKeys, IReadOnlyList<SkippedKey> SkippedKeys);
}
