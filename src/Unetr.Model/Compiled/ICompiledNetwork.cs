using System;
using System.Collections.Generic;
using TorchSharp;

namespace Unetr.Model.Compiled;

/// <summary>
/// What every generated UNETR class offers, so that code can be generic over declared variants
/// (<c>where TNet : torch.nn.Module&lt;Tensor, Tensor&gt;, ICompiledNetwork, new()</c>).
/// </summary>
public interface ICompiledNetwork : Export.IGraphNetwork
{
    /// <summary>Per-sample input shape (channels, then spatial sizes).</summary>
    static abstract IReadOnlyList<long> InputShape { get; }

    /// <summary>Per-sample output shape (classes, then spatial sizes).</summary>
    static abstract IReadOnlyList<long> OutputShape { get; }

    /// <summary>Every named step of the forward with its per-sample output shape, in order.</summary>
    static abstract IReadOnlyList<StageShape> Stages { get; }

    /// <summary>The compile-time table: layers, shapes, parameters and MACs under two conventions.</summary>
    static abstract ModelSummary Summary { get; }

    /// <summary>Called during forward with each stage's name and output; <c>null</c> (the default) costs nothing.</summary>
    Action<string, torch.Tensor>? StageObserver { get; set; }
}
