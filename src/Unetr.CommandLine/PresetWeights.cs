using System.IO;
using Unetr.Model.Checkpoints;
using Unetr.Model.Presets;
using static TorchSharp.torch;

namespace Unetr.CommandLine;

/// <summary>Loads a weights file into a preset's network for the commands, so that every command words a misfit the same way.</summary>
internal static class PresetWeights
{
    /// <summary>Loads <paramref name="path"/> strictly into <paramref name="network"/>, a fresh <paramref name="preset"/>.</summary>
    /// <exception cref="UsageException">Its keys do not fit: the message names the file, the preset and the keys.</exception>
    public static CheckpointLoadResult Load(Preset preset, nn.Module network, string path)
    {
        try
        {
            return StateDictLoader.Load(network, path);
        }
        catch (CheckpointMismatchException error)
        {
            throw new UsageException($"The weights in '{Path.GetFullPath(path)}' do not fit {preset.Name}. {error.Message}");
        }
    }
}
