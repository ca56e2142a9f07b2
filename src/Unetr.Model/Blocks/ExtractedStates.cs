using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using Unetr.Model.Export;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks
{
    /// <summary>The encoder loop both layouts share: run the blocks, keep the states the decoder reads.</summary>
    internal static class ExtractedStates
    {
        /// <summary>
        /// Runs <paramref name="blocks"/> on <paramref name="hidden"/> and returns the output of each 1-based block in
        /// <paramref name="extractLayers"/>; <paramref name="finalNorm"/>, when given, is applied to the deepest one. With
        /// <paramref name="checkpointing"/>, each block runs through <see cref="Checkpoint"/>.
        /// </summary>
        public static Tensor[] Run<TBlock>(Tensor hidden, IList<TBlock> blocks, int[] extractLayers, nn.Module<Tensor, Tensor>? finalNorm, bool checkpointing = false)
            where TBlock : nn.Module<Tensor, Tensor>
        {
            var extracted = new List<Tensor>(extractLayers.Length);
            using var threads = Runtime.ThreadBudget.ForTokens(hidden);

            // Blocks after the deepest extract layer cannot change any output, so they are not run.
            for (var index = 0; index < extractLayers[^1]; index++)
            {
                hidden = checkpointing ? Checkpoint.Call(blocks[index], hidden) : blocks[index].call(hidden);
                if (extractLayers.Contains(index + 1))
                {
                    extracted.Add(hidden);
                }
            }

            if (finalNorm is not null)
            {
                extracted[^1] = finalNorm.call(extracted[^1]);
            }

            return extracted.ToArray();
        }

        /// <summary>The graph form of <see cref="Run"/>, for ONNX export.</summary>
        public static GraphValue[] Export<TBlock>(GraphBuilder graph, GraphValue hidden, IList<TBlock> blocks, int[] extractLayers, nn.Module<Tensor, Tensor>? finalNorm)
            where TBlock : nn.Module<Tensor, Tensor>
        {
            var extracted = new List<GraphValue>(extractLayers.Length);
            for (var index = 0; index < extractLayers[^1]; index++)
            {
                hidden = graph.Apply(blocks[index], hidden);
                if (extractLayers.Contains(index + 1))
                {
                    extracted.Add(hidden);
                }
            }

            if (finalNorm is not null)
            {
                extracted[^1] = graph.Apply(finalNorm, extracted[^1]);
            }

            return extracted.ToArray();
        }
    }
}
