using System.Linq;
using static TorchSharp.torch;

namespace Unetr.Tests.Blocks;

internal static class StateKeys
{
    public static string[] Of(nn.Module module) => module.state_dict().Keys.ToArray();

    /// <summary>Each state entry as <c>key [d0, d1, …]</c>, the format of the reference <c>*.keys.tsv</c> files.</summary>
    public static string[] WithShapes(nn.Module module) =>
        module.state_dict().Select(entry => Entry(entry.Key, entry.Value.shape)).ToArray();

    public static string Entry(string key, long[] shape) => $"{key} [{string.Join(", ", shape)}]";
}
