using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp.Modules;
using Unetr.Model.Runtime;
using static TorchSharp.torch;

namespace Unetr.Model.Training;

/// <summary>
/// Binds parameters as views into one contiguous values buffer and their gradients as views into one gradient buffer,
/// so that an element-wise update (an optimizer step, zeroing, clipping) is a handful of tensor operations over the
/// whole model instead of a few per parameter tensor.
/// </summary>
/// <remarks>
/// <para>
/// The constructor copies every parameter into a slot of the values buffer and points the parameter at its slot
/// (<c>set_</c>); each gradient is likewise a view of the gradient buffer, into which backward accumulates in place.
/// A slot keeps its parameter's memory layout (row-major, channels-last or another dense permutation), since the
/// updates are element by element. The parameters stay the model's own tensors: the forward pass, <c>state_dict</c>,
/// <c>load</c> (which copies in place) and checkpoints see no difference.
/// </para>
/// <para>
/// If something rebinds a parameter or its gradient (assigning <c>grad</c>, a <c>zero_grad</c> that sets gradients to
/// none, <see cref="ChannelsLast.Convert"/>), the next <see cref="EnsureBound"/> copies the tensor's values into its
/// slot and binds it again, re-laying out the slot and every buffer made by <see cref="AddState"/> if the layout
/// changed, so no value is lost.
/// </para>
/// </remarks>
public sealed class FlatParameterBuffer : IDisposable
{
    private readonly Parameter[] _parameters;
    private readonly long[] _offsets;
    private readonly Tensor _values;
    private readonly Tensor _gradients;
    private readonly List<Tensor> _states = new();
    private readonly Tensor[] _valueSlots;
    private readonly Tensor[] _gradientSlots;
    private readonly long[][] _strides;
    private readonly IntPtr _valuesStorage;
    private readonly IntPtr _gradientsStorage;
    private bool _disposed;

    /// <summary>Gathers <paramref name="parameters"/>, in this order, into one buffer and binds their gradients.</summary>
    /// <param name="parameters">Distinct tensors of one dtype (float32 or float64) on one device.</param>
    /// <exception cref="ArgumentException">No parameters, a repeated one, mixed dtypes or devices, or an unsupported dtype.</exception>
    public FlatParameterBuffer(IReadOnlyList<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _parameters = parameters.ToArray();
        Require(_parameters.Length > 0, "Expected at least one parameter that requires a gradient; got none.");
        Require(_parameters.Select(p => p.Handle).Distinct().Count() == _parameters.Length, "Expected each parameter once; a parameter is repeated.");
        var dtype = _parameters[0].dtype;
        var device = _parameters[0].device;
        Require(dtype is ScalarType.Float32 or ScalarType.Float64, $"Expected float32 or float64 parameters; got {dtype}.");
        for (var i = 1; i < _parameters.Length; i++)
        {
            Require(_parameters[i].dtype == dtype, $"Expected every parameter to be {dtype}, as the first; parameter {i} is {_parameters[i].dtype}.");
            Require(_parameters[i].device.ToString() == device.ToString(), $"Expected every parameter on {device}, as the first; parameter {i} is on {_parameters[i].device}.");
        }

        _offsets = new long[_parameters.Length + 1];
        for (var i = 0; i < _parameters.Length; i++)
        {
            _offsets[i + 1] = _offsets[i] + _parameters[i].numel();
        }

        _values = empty(Count, dtype: dtype, device: device).DetachFromDisposeScope();
        _gradients = zeros(Count, dtype: dtype, device: device).DetachFromDisposeScope();
        _valuesStorage = StoragePointer(_values);
        _gradientsStorage = StoragePointer(_gradients);
        _valueSlots = new Tensor[_parameters.Length];
        _gradientSlots = new Tensor[_parameters.Length];
        _strides = new long[_parameters.Length][];
        using (no_grad())
        {
            for (var i = 0; i < _parameters.Length; i++)
            {
                _strides[i] = LayoutOf(_parameters[i].shape, _parameters[i].stride());
                _valueSlots[i] = Slot(_values, i, _strides[i]);
                _gradientSlots[i] = Slot(_gradients, i, _strides[i]);
                BindValue(i);
                BindGradient(i);
            }
        }
    }

    /// <summary>The bound parameters, in buffer order.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>Number of scalar parameters.</summary>
    public long Count => _offsets[^1];

    /// <summary>Every parameter's values, one after the other (owned by the buffer: do not dispose).</summary>
    public Tensor Values => _values;

    /// <summary>Every parameter's gradient, one after the other (owned by the buffer: do not dispose).</summary>
    public Tensor Gradients => _gradients;

    /// <summary>Where parameter <paramref name="index"/> starts in the buffers; <c>Offset(Parameters.Count)</c> is <see cref="Count"/>.</summary>
    public long Offset(int index) => _offsets[index];

    /// <summary>
    /// A zeroed buffer of <see cref="Count"/> elements for per-element state (say, an optimizer's moments), each
    /// parameter's segment laid out like the parameter and re-laid out with it; owned by this buffer.
    /// </summary>
    public Tensor AddState()
    {
        ThrowIfDisposed();
        var state = zeros_like(_values).DetachFromDisposeScope();
        _states.Add(state);
        return state;
    }

    /// <summary>Parameter <paramref name="index"/>'s segment of a buffer (values, gradients or state) as a view shaped and laid out like the parameter.</summary>
    public Tensor View(Tensor buffer, int index)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        return Segment(buffer, index, _strides[index]);
    }

    /// <summary>A copy of a buffer with each parameter's segment in row-major order, whatever the parameter's memory layout.</summary>
    public Tensor InRowMajorOrder(Tensor buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        return cat(Enumerable.Range(0, _parameters.Length).Select(i => View(buffer, i).reshape(-1)).ToArray());
    }

    /// <summary>Fills a buffer from values written by <see cref="InRowMajorOrder"/>.</summary>
    public void CopyFromRowMajorOrder(Tensor buffer, Tensor rowMajor)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        ArgumentNullException.ThrowIfNull(rowMajor);
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            for (var i = 0; i < _parameters.Length; i++)
            {
                View(buffer, i).copy_(Segment(rowMajor, i, Strides.RowMajor(_parameters[i].shape)));
            }
        }
    }

    /// <summary>
    /// Makes every parameter's values and gradient its slots again. A parameter whose layout changed (say, to
    /// channels-last) gets slots of its new layout, with the state buffers permuted to match; a rebound one gets its
    /// values copied back in.
    /// </summary>
    /// <exception cref="InvalidOperationException">A parameter's shape or dtype changed since the buffer was built.</exception>
    public void EnsureBound()
    {
        ThrowIfDisposed();
        using var guard = no_grad();
        for (var i = 0; i < _parameters.Length; i++)
        {
            // Shape and strides are read once per parameter: this runs before every step.
            var parameter = _parameters[i];
            var shape = parameter.shape;
            var actualStrides = parameter.stride();
            CheckSize(parameter, shape, i);
            var strides = LayoutOf(shape, actualStrides);
            if (!strides.AsSpan().SequenceEqual(_strides[i]))
            {
                Relayout(i, strides);
                continue;
            }

            if (!actualStrides.AsSpan().SequenceEqual(strides) || !Aliases(parameter, _valuesStorage, _offsets[i]))
            {
                BindValue(i);
            }

            using var gradient = parameter.grad;
            if (gradient is null || !gradient.stride().AsSpan().SequenceEqual(strides) || !Aliases(gradient, _gradientsStorage, _offsets[i]))
            {
                BindGradient(i);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var slot in _valueSlots.Concat(_gradientSlots))
        {
            slot?.Dispose();
        }

        // The parameters keep the flat buffers' storage alive for as long as the model lives.
        _values.Dispose();
        _gradients.Dispose();
        foreach (var state in _states)
        {
            state.Dispose();
        }
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message, "parameters");
        }
    }

    // Parameter index's segment of a buffer seen as the parameter, laid out with the given strides.
    private Tensor Segment(Tensor buffer, int index, long[] strides) => buffer.as_strided(_parameters[index].shape, strides, _offsets[index]);

    // A slot outlives any dispose scope: it is the parameter's (or gradient's) storage from now on.
    private Tensor Slot(Tensor buffer, int index, long[] strides) => Segment(buffer, index, strides).DetachFromDisposeScope();

    private void Relayout(int index, long[] strides)
    {
        using var scope = NewDisposeScope();
        var parameter = _parameters[index];
        foreach (var state in _states)
        {
            var values = View(state, index).clone();
            Segment(state, index, strides).copy_(values);
        }

        using (var gradient = parameter.grad)
        {
            // Keep the gradient's values: the old slot and the new one overlap.
            var kept = gradient?.clone();
            _valueSlots[index].Dispose();
            _gradientSlots[index].Dispose();
            _strides[index] = strides;
            _valueSlots[index] = Slot(_values, index, strides);
            _gradientSlots[index] = Slot(_gradients, index, strides);
            BindValue(index);
            if (kept is null)
            {
                _gradientSlots[index].zero_();
            }
            else
            {
                _gradientSlots[index].copy_(kept);
            }

            parameter.grad = _gradientSlots[index];
        }
    }

    private void BindValue(int index)
    {
        var parameter = _parameters[index];
        var slot = _valueSlots[index];
        slot.copy_(parameter);
        parameter.set_(slot);
    }

    private void BindGradient(int index)
    {
        var slot = _gradientSlots[index];
        using (var gradient = _parameters[index].grad)
        {
            if (gradient is null)
            {
                slot.zero_();
            }
            else
            {
                slot.copy_(gradient);
            }
        }

        _parameters[index].grad = slot;
    }

    // The shape was the parameter's when the buffer was built (so its element count fits the segment).
    private void CheckSize(Tensor parameter, long[] shape, int index)
    {
        if (parameter.dtype != _values.dtype || !shape.AsSpan().SequenceEqual(_valueSlots[index].shape))
        {
            throw new InvalidOperationException(
                $"Parameter {index} is now {parameter.dtype} [{string.Join(", ", shape)}]; the optimizer was built for {_values.dtype} [{string.Join(", ", _valueSlots[index].shape)}]. Build a new optimizer after changing a parameter's shape or dtype.");
        }
    }

    // The parameter's own strides when they cover its elements exactly once without gaps (contiguous, channels-last or
    // any other permutation); otherwise row-major strides.
    private static long[] LayoutOf(long[] shape, long[] strides) =>
        Strides.AreDense(shape, strides, Enumerable.Range(0, shape.Length).OrderBy(axis => strides[axis]))
            ? strides
            : Strides.RowMajor(shape);

    // Whether the tensor's data starts at this element of this storage (its strides are checked by the caller).
    private static bool Aliases(Tensor tensor, IntPtr storage, long offset) =>
        tensor.storage_offset() == offset && StoragePointer(tensor) == storage;

    private static IntPtr StoragePointer(Tensor tensor) => tensor.dtype switch
    {
        ScalarType.Float32 => tensor.storage<float>().data_ptr(),
        ScalarType.Float64 => tensor.storage<double>().data_ptr(),
        _ => IntPtr.Zero,
    };

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
