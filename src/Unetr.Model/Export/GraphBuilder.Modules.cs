using System;
using System.Linq;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Unetr.Model.Export;

/// <summary>Applying modules: the blocks write themselves; TorchSharp's own layers are written here.</summary>
public sealed partial class GraphBuilder
{
    /// <summary>Adds the forward of a one-input module: a block (<see cref="IGraphBlock"/>), a <c>Sequential</c>, or a TorchSharp layer the blocks use.</summary>
    /// <param name="module">The module, in evaluation mode.</param>
    /// <param name="input">Its input.</param>
    /// <returns>Its output.</returns>
    /// <exception cref="NotSupportedException">The module has no graph form.</exception>
    public GraphValue Apply(nn.Module module, GraphValue input) => module switch
    {
        IGraphBlock block => block.Export(this, input),
        Sequential sequential => sequential.children().Aggregate(input, (value, child) => Apply(child, value)),
        LayerNorm norm => LayerNorm(input, norm.weight!, norm.bias!, norm.eps),
        BatchNorm norm => BatchNorm(input, norm.weight!, norm.bias!, norm.running_mean!, norm.running_var!, norm.eps),
        ReLU => Relu(input),
        GELU => Gelu(input),
        LeakyReLU leaky => LeakyRelu(input, leaky.negative_slope),
        Dropout or Identity => input,
        _ => throw new NotSupportedException($"{module.GetType().Name} ({module.GetName()}) has no ONNX form; a block must implement {nameof(IGraphBlock)}."),
    };

    /// <summary>Adds the forward of a block with a skip input.</summary>
    /// <param name="block">The block, in evaluation mode.</param>
    /// <param name="input">Its first input.</param>
    /// <param name="skip">Its skip input.</param>
    /// <returns>Its output.</returns>
    public GraphValue Apply(nn.Module block, GraphValue input, GraphValue skip) => block is IGraphSkipBlock skipBlock
        ? skipBlock.Export(this, input, skip)
        : throw new NotSupportedException($"{block.GetType().Name} ({block.GetName()}) has no ONNX form; it must implement {nameof(IGraphSkipBlock)}.");

    /// <summary>Adds the forward of an encoder that returns several token sequences.</summary>
    /// <param name="encoder">The encoder, in evaluation mode.</param>
    /// <param name="image">Its input.</param>
    /// <returns>Its outputs.</returns>
    public GraphValue[] Extract(nn.Module encoder, GraphValue image) => encoder is IGraphEncoder graphEncoder
        ? graphEncoder.Export(this, image)
        : throw new NotSupportedException($"{encoder.GetType().Name} ({encoder.GetName()}) has no ONNX form; it must implement {nameof(IGraphEncoder)}.");
}
