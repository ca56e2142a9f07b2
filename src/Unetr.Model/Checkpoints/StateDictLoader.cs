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
    /// Loads PyTorch state dicts (files written by <c>torch.save(model.state_dict())</c>) into a module strictly:
    /// every parameter and buffer (BatchNorm running statistics included) must be present with the right
    /// shape, and every checkpoint key must belong to the module unless a rule recognises it as unused by
    /// UNETR (MONAI's <c>cross_attn</c> / <c>norm_cross_attn</c>, MONAI 0.7's <c>cls_token</c> and unused
    /// <c>conv3</c> shortcuts); those are skipped and reported.
    /// </summary>
    public static class StateDictLoader
    {
        /// <summary>Loads a PyTorch state dict file into <paramref name="module"/>.</summary>
        /// <param name="module">The module to fill.</param>
        /// <param name="path">
        /// A <c>.pt</c>/<c>.pth</c> zip pickle holding a state dict, or a dict with the state dict under
        /// <c>"state_dict"</c>.
        /// </param>
        /// <returns>The keys loaded and the keys skipped on purpose.</returns>
        /// <exception cref="CheckpointMismatchException">Keys are missing, unexpected or wrongly shaped.</exception>
        public static CheckpointLoadResult Load(nn.Module module, string path)
        {
            ArgumentNullException.ThrowIfNull(path);
            using var stream = File.OpenRead(path);
            return Load(module, stream);
        }

        /// <summary>Loads a PyTorch state dict from a stream into <paramref name="module"/>.</summary>
        /// <param name="module">The module to fill.</param>
        /// <param name="stream">A readable stream over a PyTorch zip pickle; left open.</param>
        /// <returns>The keys loaded and the keys skipped on purpose.</returns>
        /// <exception cref="CheckpointMismatchException">Keys are missing, unexpected or wrongly shaped.</exception>
        public static CheckpointLoadResult Load(nn.Module module, Stream stream)
        {
            ArgumentNullException.ThrowIfNull(stream);
            var checkpoint = ReadTensors(PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: true, skipTensorRead: false));
            try
            {
                return Load(module, checkpoint);
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
                    throw new InvalidDataException($"The checkpoint entry '{entry.Key}' is not a tensor; expected a PyTorch state dict.");
                }
            }

            return tensors;
        }
    }
}
