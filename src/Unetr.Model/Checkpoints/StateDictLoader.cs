using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Unetr.Model.Checkpoints
{
    /// <summary>
    /// Loads state dicts (files written by <c>torch.save(model.state_dict())</c>, or safetensors files) into a module
    /// strictly: every parameter and buffer (BatchNorm running statistics included) must be present with the right
    /// shape, and every checkpoint key must belong to the module unless a rule recognises it as unused by
    /// UNETR (MONAI's <c>cross_attn</c> / <c>norm_cross_attn</c>, MONAI 0.7's <c>cls_token</c> and unused
    /// <c>conv3</c> shortcuts); those are skipped and reported. Every file is checked before a tensor is used: each zip
    /// entry of a PyTorch file against its CRC-32 and size, a safetensors header against the data it describes.
    /// <see cref="StateDictWriter"/> writes both formats.
    /// </summary>
    public static class StateDictLoader
    {
        /// <summary>Loads a state dict file into <paramref name="module"/>, its format chosen by the extension.</summary>
        /// <param name="module">The module to fill.</param>
        /// <param name="path">
        /// A <c>.pt</c>/<c>.pth</c>/<c>.bin</c> PyTorch zip pickle holding a state dict (or a dict with the state dict
        /// under <c>"state_dict"</c>), or a <c>.safetensors</c> file.
        /// </param>
        /// <returns>The keys loaded and the keys skipped on purpose.</returns>
        /// <exception cref="ArgumentException">The extension names neither format.</exception>
        /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
        /// <exception cref="InvalidDataException">
        /// The file is not a state dict in the format its extension names, or is damaged: a zip entry whose content fails
        /// its CRC-32 or recorded size, a safetensors header whose lengths or offsets disagree with the data. Nothing is
        /// loaded into <paramref name="module"/> then.
        /// </exception>
        /// <exception cref="CheckpointMismatchException">Keys are missing, unexpected or wrongly shaped.</exception>
        public static CheckpointLoadResult Load(nn.Module module, string path)
        {
            var format = CheckpointFormats.FromPath(path);
            using var stream = File.OpenRead(path);
            return Load(module, stream, format, $"'{path}'");
        }

        /// <summary>Loads a PyTorch state dict from a stream into <paramref name="module"/>.</summary>
        /// <param name="module">The module to fill.</param>
        /// <param name="stream">A readable stream over a PyTorch zip pickle; left open.</param>
        /// <returns>The keys loaded and the keys skipped on purpose.</returns>
        /// <exception cref="InvalidDataException">The stream does not hold a PyTorch state dict.</exception>
        /// <exception cref="CheckpointMismatchException">Keys are missing, unexpected or wrongly shaped.</exception>
        public static CheckpointLoadResult Load(nn.Module module, Stream stream) => Load(module, stream, CheckpointFormat.PyTorch);

        /// <summary>Loads a state dict in <paramref name="format"/> from a stream into <paramref name="module"/>.</summary>
        /// <param name="module">The module to fill.</param>
        /// <param name="stream">A readable stream; left open.</param>
        /// <param name="format">How the stream is encoded.</param>
        /// <returns>The keys loaded and the keys skipped on purpose.</returns>
        /// <exception cref="InvalidDataException">The stream does not hold a state dict in <paramref name="format"/>.</exception>
        /// <exception cref="CheckpointMismatchException">Keys are missing, unexpected or wrongly shaped.</exception>
        public static CheckpointLoadResult Load(nn.Module module, Stream stream, CheckpointFormat format) =>
            Load(module, stream, format, "The stream");

        private static CheckpointLoadResult Load(nn.Module module, Stream stream, CheckpointFormat format, string source)
        {
            ArgumentNullException.ThrowIfNull(module);
            ArgumentNullException.ThrowIfNull(stream);
            var checkpoint = Read(stream, format, source);
            try
            {
                return Load(module, checkpoint);
            }
            catch (CheckpointMismatchException error)
            {
                throw new CheckpointMismatchException(error.MissingKeys, error.UnexpectedKeys, error.ShapeMismatches, source);
            }
            finally
            {
                foreach (var tensor in checkpoint.Values)
                {
                    tensor.Dispose();
                }
            }
        }

        /// <summary>Copies an in-memory state dict into <paramref name="module"/>; the caller keeps the tensors.</summary>
        /// <param name="module">The module to fill.</param>
        /// <param name="checkpoint">Tensors by PyTorch state_dict key.</param>
        /// <returns>The keys loaded and the keys skipped on purpose.</returns>
        /// <exception cref="CheckpointMismatchException">Keys are missing, unexpected or wrongly shaped.</exception>
        public static CheckpointLoadResult Load(nn.Module module, IReadOnlyDictionary<string, Tensor> checkpoint)
        {
            ArgumentNullException.ThrowIfNull(module);
            ArgumentNullException.ThrowIfNull(checkpoint);
            var target = module.state_dict();
            var moduleKeys = target.Keys.ToHashSet();

            var missing = target.Keys.Where(key => !checkpoint.ContainsKey(key)).ToList();
            var skipped = new List<SkippedKey>();
            var unexpected = new List<string>();
            foreach (var key in checkpoint.Keys.Where(key => !moduleKeys.Contains(key)).Order(StringComparer.Ordinal))
            {
                if (UnusedKeyRules.ReasonToSkip(key, moduleKeys) is { } reason)
                {
                    skipped.Add(new SkippedKey(key, reason));
                }
                else
                {
                    unexpected.Add(key);
                }
            }

            var wrongShape = target
                .Where(entry => checkpoint.TryGetValue(entry.Key, out var stored) && !stored.shape.SequenceEqual(entry.Value.shape))
                .Select(entry => new ShapeMismatch(entry.Key, checkpoint[entry.Key].shape, entry.Value.shape))
                .ToList();

            if (missing.Count > 0 || unexpected.Count > 0 || wrongShape.Count > 0)
            {
                throw new CheckpointMismatchException(missing, unexpected, wrongShape);
            }

            using (no_grad())
            {
                foreach (var (key, tensor) in target)
                {
                    tensor.copy_(checkpoint[key]);
                }
            }

            return new CheckpointLoadResult(target.Keys.ToList(), skipped);
        }

        /// <summary>
        /// Checks the file's integrity (<see cref="PyTorchArchive"/>, <see cref="SafetensorsLayout"/>), then reads every
        /// tensor of a state dict; any failure becomes one error naming the source.
        /// </summary>
        private static Dictionary<string, Tensor> Read(Stream stream, CheckpointFormat format, string source)
        {
            if (!Enum.IsDefined(format))
            {
                throw new ArgumentOutOfRangeException(nameof(format), format, $"Expected one of: {string.Join(", ", Enum.GetNames<CheckpointFormat>())}.");
            }

            // The checks read the file before the format's reader does, so they need to go back to its start.
            using var copy = stream.CanSeek ? null : new MemoryStream();
            if (copy is not null)
            {
                stream.CopyTo(copy);
                copy.Position = 0;
            }

            var seekable = copy ?? stream;
            try
            {
                if (format == CheckpointFormat.Safetensors)
                {
                    SafetensorsLayout.Verify(seekable);
                    return Safetensors.LoadStateDict(seekable, leaveOpen: true);
                }

                PyTorchArchive.Verify(seekable);
                return ReadTensors(PyTorchUnpickler.UnpickleStateDict(seekable, leaveOpen: true, skipTensorRead: false));
            }
            catch (Exception error) when (error is not OutOfMemoryException)
            {
                var kind = format == CheckpointFormat.Safetensors ? "safetensors" : "PyTorch";
                throw new InvalidDataException($"{source} is not a {kind} state dict: {error.Message}", error);
            }
        }

        private static Dictionary<string, Tensor> ReadTensors(Hashtable unpickled)
        {
            // Training scripts often save {"epoch": …, "state_dict": model.state_dict()}.
            var stateDict = unpickled["state_dict"] is IDictionary nested ? nested : unpickled;
            var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (DictionaryEntry entry in stateDict)
            {
                if (entry.Key is string key && entry.Value is Tensor tensor)
                {
                    tensors.Add(key, tensor);
                }
                else
                {
                    throw new InvalidDataException($"its entry '{entry.Key}' is not a tensor.");
                }
            }

            return tensors;
        }
    }
}
