using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Unetr.Model.Runtime;

/// <summary>
/// Channels-last memory layout (PyTorch's <c>channels_last</c> / <c>channels_last_3d</c>): the channel values of each
/// voxel sit next to each other in memory, as NDHWC. A tensor keeps its logical shape <c>[N, C, D, H, W]</c>; only its
/// strides change. On CPU, libtorch's oneDNN convolutions run channels-last directly when the weight is channels-last,
/// instead of converting to and from their own layout on every call. TorchSharp 0.107 has no <c>memory_format</c>
/// argument, so the layout is made with a permuted copy.
/// </summary>
/// <remarks>
/// Outputs agree with the row-major layout to rounding (the convolution adds in another order), not bit for bit.
/// Build optimizers after converting; <see cref="Training.FlatAdamW"/> also follows a later change.
/// </remarks>
public static class ChannelsLast
{
    /// <summary>
    /// Converts, in place, every parameter and buffer of <paramref name="module"/> with 4 or 5 dimensions (the
    /// convolution and transposed-convolution weights) to channels-last strides. The module's parameters stay the
    /// same objects, so references to them (an optimizer's list) remain valid. Returns <paramref name="module"/>.
    /// </summary>
    public static TModule Convert<TModule>(TModule module)
        where TModule : nn.Module
    {
        ArgumentNullException.ThrowIfNull(module);
        ConvertTensors(module, _ => true);
        return module;
    }

    /// <summary>
    /// Converts, in place, the weights of the layers that train faster channels-last as
    /// <see cref="CpuRoutingPolicy.Current"/> decides (<see cref="CpuRoutingPolicy.TrainsChannelsLast"/>: at most
    /// <see cref="CpuRoutingPolicy.ChannelsLastTrainingMaximumChannels"/> channels, read from the weight's first two
    /// axes); wider layers keep row-major weights, and their <see cref="Blocks.OneDnnConv3d"/> modules are told to copy
    /// a channels-last input to row-major in training (<see cref="Blocks.OneDnnConv3d.RowMajorInTraining"/>). Call it
    /// once <see cref="PaysForTraining"/> said yes, before building the optimizer. Returns <paramref name="module"/>.
    /// </summary>
    public static TModule ConvertForTraining<TModule>(TModule module)
        where TModule : nn.Module
    {
        ArgumentNullException.ThrowIfNull(module);
        var policy = CpuRoutingPolicy.Current;
        ConvertTensors(module, tensor => policy.TrainsChannelsLast(tensor.shape[1], tensor.shape[0]));

        // TorchSharp's modules() lists the descendants only, so the module itself is added.
        foreach (var convolution in module.modules().Prepend(module).OfType<Blocks.OneDnnConv3d>().Distinct())
        {
            convolution.RowMajorInTraining = !policy.TrainsChannelsLast(convolution.InChannels, convolution.OutChannels);
        }

        return module;
    }

    /// <summary>
    /// Whether channels-last weights (<see cref="ConvertForTraining"/>) make a train step of <paramref name="model"/> faster on CPU
    /// for batches of shape <paramref name="batchShape"/> (<c>[N, C, spatial…]</c>), as
    /// <see cref="CpuRoutingPolicy.Current"/> decides: by default always, unless the model has an instance norm and the
    /// batch holds more than <see cref="CpuRoutingPolicy.ChannelsLastTrainingVoxelLimit"/> voxels (N × spatial sizes).
    /// </summary>
    /// <remarks>
    /// Instance norm runs row-major (libtorch's channels-last group norm sums less precisely, and its backward was
    /// slower), so around each instance norm the activations are copied out of and back into channels-last. At small
    /// volumes oneDNN's channels-last kernels gain more than the copies cost; at 96³ the copies cost more
    /// (docs/speed-notes.md, "Channels-last weights only where they pay", has the train steps measured).
    /// </remarks>
    public static bool PaysForTraining(nn.Module model, IReadOnlyList<long> batchShape)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batchShape);
        return CpuRoutingPolicy.Current.ChannelsLastPaysForTraining(batchShape, model.modules().Any(module => module is Blocks.InstanceNorm));
    }

    /// <summary>
    /// A channels-last copy of a 4- or 5-dimensional tensor, or the tensor itself when it already is channels-last or
    /// has another number of dimensions.
    /// </summary>
    public static Tensor Of(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return IsConvertible(tensor) && !Is(tensor) ? Copy(tensor) : tensor;
    }

    /// <summary>
    /// Whether a 4- or 5-dimensional tensor is stored channels-last: the channel axis has stride 1 and the spatial axes
    /// follow row-major over (spatial…, channel). Axes of length 1 are ignored, as PyTorch does.
    /// </summary>
    public static bool Is(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!IsConvertible(tensor))
        {
            return false;
        }

        return Strides.AreDense(tensor.shape, tensor.stride(), Order((int)tensor.dim()));
    }

    private static bool IsConvertible(Tensor tensor) => tensor.dim() is 4 or 5;

    // Converts every parameter and buffer of 4 or 5 dimensions that is not channels-last yet and that include accepts.
    private static void ConvertTensors(nn.Module module, Func<Tensor, bool> include)
    {
        using (no_grad())
        {
            foreach (var tensor in module.parameters().Cast<Tensor>().Concat(module.buffers()))
            {
                if (IsConvertible(tensor) && !Is(tensor) && include(tensor))
                {
                    // Scoped per tensor so that only the permuted intermediates are disposed, never the module's own tensors.
                    using var scope = NewDisposeScope();
                    tensor.set_(Copy(tensor));
                }
            }
        }
    }

    // Innermost first: channel, then the last spatial axis back to the first, then the batch axis.
    private static int[] Order(int rank) => new[] { 1 }.Concat(Enumerable.Range(2, rank - 2).Reverse()).Append(0).ToArray();

    private static Tensor Copy(Tensor tensor)
    {
        var rank = (int)tensor.dim();
        var toLast = new long[] { 0 }.Concat(Enumerable.Range(2, rank - 2).Select(d => (long)d)).Append(1).ToArray();
        var back = new long[] { 0, rank - 1 }.Concat(Enumerable.Range(1, rank - 2).Select(d => (long)d)).ToArray();
        return tensor.permute(toLast).contiguous().permute(back);
    }
}
