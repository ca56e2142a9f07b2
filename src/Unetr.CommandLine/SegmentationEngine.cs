using System;
using System.Collections.Generic;
using Unetr.Model.Inference;
using Unetr.Onnx;
using static TorchSharp.torch;

namespace Unetr.CommandLine;

/// <summary>What runs a network over a volume for <c>infer</c> and <c>evaluate</c>: TorchSharp (<see cref="LoadedNetwork"/>) or ONNX Runtime (<see cref="OnnxEngine"/>).</summary>
internal interface ISegmentationEngine : IDisposable
{
    /// <summary>The network's name.</summary>
    string Name { get; }

    /// <summary>Per-sample input shape [C, D, H, W]: the sliding window and the channels an image must have.</summary>
    IReadOnlyList<long> InputShape { get; }

    /// <summary>Input channels the network takes.</summary>
    long Channels { get; }

    /// <summary>Classes it predicts.</summary>
    long Classes { get; }

    /// <summary>Runs the network over a volume [1, C, D, H, W] (any size) window by window; logits [1, K, D, H, W] on the CPU.</summary>
    Tensor Logits(SlidingWindowInferer inferer, Tensor volume);
}

/// <summary>An exported network in an ONNX Runtime session (CPU execution provider).</summary>
internal sealed class OnnxEngine(OnnxRuntimeNetwork network) : ISegmentationEngine
{
    public string Name => network.Info.Model;

    public IReadOnlyList<long> InputShape => network.Info.InputShape;

    public long Channels => network.Info.InputShape[0];

    public long Classes => network.Info.OutputShape[0];

    /// <summary>One log line: what was loaded from where.</summary>
    public string Describe() =>
        $"Loaded {network.Path} ({Name}, ONNX Runtime {OrtVersion()}, CPU execution provider).";

    public Tensor Logits(SlidingWindowInferer inferer, Tensor volume) => inferer.Run(volume.cpu(), network.Forward);

    public void Dispose() => network.Dispose();

    private static string OrtVersion() => typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly.GetName().Version?.ToString(3) ?? "?";
}
