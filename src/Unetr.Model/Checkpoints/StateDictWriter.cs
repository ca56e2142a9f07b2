using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using TorchSharp.PyBridge;
using Unetr.Model.Training;
using static TorchSharp.torch;

namespace Unetr.Model.Checkpoints
{
    /// <summary>
    /// Writes state dicts that PyTorch reads (<c>torch.load</c> for <c>.pt</c>, <c>safetensors.torch.load_file</c> for
    /// <c>.safetensors</c>) and <see cref="StateDictLoader"/> reads back. Files are written atomically (see <see cref="AtomicFile"/>).
    /// </summary>
    public static class StateDictWriter
    {
        /// <summary>Writes the parameters and buffers of <paramref name="module"/> to <paramref name="path"/>, the format chosen by the extension.</summary>
        /// <param name="module">The module; its tensors may live on any device.</param>
        /// <param name="path">Destination ending in one of <see cref="CheckpointFormats.Recognised"/>; its directory must exist.</param>
        /// <exception cref="ArgumentException">The extension names neither format.</exception>
        public static void Save(nn.Module module, string path)
        {
            ArgumentNullException.ThrowIfNull(module);
            Save(module.state_dict(), path);
        }

        /// <summary>Writes <paramref name="stateDict"/> to <paramref name="path"/>, the format chosen by the extension.</summary>
        /// <param name="stateDict">Tensors by state_dict key; the caller keeps them.</param>
        /// <param name="path">Destination ending in one of <see cref="CheckpointFormats.Recognised"/>; its directory must exist.</param>
        /// <exception cref="ArgumentException">The extension names neither format.</exception>
        public static void Save(IReadOnlyDictionary<string, Tensor> stateDict, string path)
        {
            var format = CheckpointFormats.FromPath(path);
            AtomicFile.Write(path, stream => Write(stateDict, stream, format));
        }

        /// <summary>Writes <paramref name="stateDict"/> to <paramref name="stream"/> in <paramref name="format"/>; the stream is left open.</summary>
        /// <param name="stateDict">Tensors by state_dict key; the caller keeps them.</param>
        /// <param name="stream">A writable stream.</param>
        /// <param name="format">The encoding.</param>
        public static void Write(IReadOnlyDictionary<string, Tensor> stateDict, Stream stream, CheckpointFormat format)
        {
            ArgumentNullException.ThrowIfNull(stateDict);
            ArgumentNullException.ThrowIfNull(stream);
            if (!Enum.IsDefined(format))
            {
                throw new ArgumentOutOfRangeException(nameof(format), format, $"Expected one of: {string.Join(", ", Enum.GetNames<CheckpointFormat>())}.");
            }

            // Both writers copy each tensor's bytes as they stand, so they get detached CPU tensors that own their
            // storage from its start: the pickler records a view's storage offset but writes only the view's bytes
            // (parameters gathered by FlatAdamW are such views). A safetensors file lists its keys in ordinal order, so
            // that equal state dicts give equal files.
            using var scope = NewDisposeScope();
            var onCpu = stateDict
                .OrderBy(entry => entry.Key, StringComparer.Ordinal)
                .Select(entry => KeyValuePair.Create(entry.Key, Standalone(entry.Value)))
                .ToList();
            if (format == CheckpointFormat.Safetensors)
            {
                Safetensors.SaveStateDict(stream, onCpu.ToDictionary(entry => entry.Key, entry => entry.Value, StringComparer.Ordinal), leaveOpen: true);
            }
            else
            {
                var table = new Hashtable(StringComparer.Ordinal);
                foreach (var (key, tensor) in onCpu)
                {
                    table.Add(key, tensor);
                }

                PyTorchPickler.PickleStateDict(stream, table, leaveOpen: true);
            }
        }

        private static Tensor Standalone(Tensor tensor)
        {
            var onCpu = tensor.detach().cpu();
            if (!onCpu.is_contiguous())
            {
                return onCpu.contiguous();
            }

            return onCpu.storage_offset() == 0 ? onCpu : onCpu.clone();
        }
    }
}
