using System;
using System.IO;

namespace Unetr.Model.Checkpoints
{
    /// <summary>The two file formats a state dict is read from and written to.</summary>
    public enum CheckpointFormat
    {
        /// <summary>PyTorch's zip pickle, as <c>torch.save(model.state_dict(), path)</c> writes it (<c>.pt</c>, <c>.pth</c>, <c>.bin</c>).</summary>
        PyTorch,

        /// <summary>Hugging Face's safetensors: a JSON header of names, dtypes, shapes and offsets, then raw little-endian data (<c>.safetensors</c>).</summary>
        Safetensors,
    }

    /// <summary>Tells a checkpoint's format from its file name.</summary>
    public static class CheckpointFormats
    {
        /// <summary>The extensions recognised, as the error for any other names them.</summary>
        public const string Recognised = ".pt, .pth or .bin (PyTorch), or .safetensors";

        /// <summary>The format of <paramref name="path"/> by its extension (case-insensitive).</summary>
        /// <exception cref="ArgumentException">The extension is none of <see cref="Recognised"/>.</exception>
        public static CheckpointFormat FromPath(string path)
        {
            ArgumentException.ThrowIfNullOrEmpty(path);
            return Path.GetExtension(path).ToLowerInvariant() switch
            {
                ".pt" or ".pth" or ".bin" => CheckpointFormat.PyTorch,
                ".safetensors" => CheckpointFormat.Safetensors,
                var other => throw new ArgumentException(
                    $"Cannot tell the weights format of '{path}' from its extension '{other}'; expected {Recognised}.", nameof(path)),
            };
        }
    }
}
