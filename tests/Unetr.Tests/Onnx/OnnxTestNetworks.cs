using System;
using System.Collections.Generic;
using System.Linq;
using Unetr.Model.Compiled;
using Unetr.Onnx;
using Unetr.Tests.Runtime.Variants;
using static TorchSharp.torch;

namespace Unetr.Tests.Onnx;

/// <summary>The small declared networks the export tests run, by name.</summary>
internal static class OnnxTestNetworks
{
    public static IReadOnlyDictionary<string, (Func<nn.Module<Tensor, Tensor>> Create, OnnxModelInfo Info)> All { get; } =
        new Dictionary<string, (Func<nn.Module<Tensor, Tensor>>, OnnxModelInfo)>
        {
            [nameof(MonaiPatch8NonCubic)] = Entry<MonaiPatch8NonCubic>(),
            [nameof(Monai2DPerceptronBatchPlain)] = Entry<Monai2DPerceptronBatchPlain>(),
            [nameof(MonaiPatch32)] = Entry<MonaiPatch32>(),
            [nameof(Monai2DPatch4)] = Entry<Monai2DPatch4>(),
            [nameof(OnnxMonai3DPerceptronBatchPlain)] = Entry<OnnxMonai3DPerceptronBatchPlain>(),
            [nameof(SeedPatch8NonCubic)] = Entry<SeedPatch8NonCubic>(),
            [nameof(Seed2D)] = Entry<Seed2D>(),
            [nameof(SeedPatch32)] = Entry<SeedPatch32>(),
            [nameof(OnnxSeedPatch4)] = Entry<OnnxSeedPatch4>(),
        };

    public static OnnxModelInfo InfoOf<TNet>()
        where TNet : ICompiledNetwork =>
        new(typeof(TNet).Name, TNet.InputShape, TNet.OutputShape);

    /// <summary>Gives every batch norm running statistics far from 0 and 1, so that an export that ignored them would differ.</summary>
    public static void RandomizeRunningStatistics(nn.Module network)
    {
        using var noGrad = no_grad();
        foreach (var (name, buffer) in network.named_buffers())
        {
            if (name.EndsWith("running_mean", StringComparison.Ordinal))
            {
                buffer.copy_(randn(buffer.shape) * 0.5);
            }
            else if (name.EndsWith("running_var", StringComparison.Ordinal))
            {
                buffer.copy_(rand(buffer.shape) + 0.5);
            }
        }
    }

    private static (Func<nn.Module<Tensor, Tensor>>, OnnxModelInfo) Entry<TNet>()
        where TNet : nn.Module<Tensor, Tensor>, ICompiledNetwork, new() =>
        (() => new TNet(), InfoOf<TNet>());
}
