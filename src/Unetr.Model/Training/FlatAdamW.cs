using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using Unetr.Model.Runtime;
using static TorchSharp.torch;

namespace Unetr.Model.Training;

/// <summary>
/// AdamW with decoupled weight decay (PyTorch's <c>torch.optim.AdamW</c> algorithm: the same update, in the same
/// order, for every element) over parameters that live in one contiguous buffer, so that a step is seven tensor
/// operations whatever the number of parameter tensors, instead of about ten per tensor.
/// </summary>
/// <remarks>
/// <para>
/// The constructor copies every parameter into a slot of one flat buffer and points the parameter at its slot
/// (<c>set_</c>); each parameter's gradient is likewise a view of one flat gradient buffer, into which backward
/// accumulates in place. A slot keeps its parameter's memory layout (row-major, channels-last or another dense
/// permutation), since the update is element by element. The parameters stay the model's own tensors: the forward
/// pass, <c>state_dict</c>, <c>load</c> (which copies in place) and checkpoints see no difference.
/// </para>
/// <para>
/// If something rebinds a parameter or its gradient (assigning <c>grad</c>, a <c>zero_grad</c> that sets gradients to
/// none, <see cref="Runtime.ChannelsLast.Convert"/>), the next <see cref="ZeroGrad"/>, <see cref="ClipGradNorm"/> or
/// <see cref="Step"/> notices, copies the tensor's values into its slot (re-laying out the slot and the moments if
/// the layout changed) and binds it again, so no update is lost.
/// </para>
/// <para>
/// On SeedBench64 (283 parameter tensors), TorchSharp's <c>optim.AdamW</c> spends most of its step in the
/// per-tensor calls; see docs/speed-notes.md for the measured step times.
/// </para>
/// </remarks>
public sealed class FlatAdamW : IDisposable
{
    private const string StateMagic = "Unetr FlatAdamW state";

    private readonly Parameter[] _parameters;
    private readonly long[] _offsets;
    private readonly Tensor _values;
    private readonly Tensor _gradients;
    private readonly Tensor _expAvg;
    private readonly Tensor _expAvgSq;
    private readonly Tensor[] _valueSlots;
    private readonly Tensor[] _gradientSlots;
    private readonly long[][] _strides;
    private readonly IntPtr _valuesStorage;
    private readonly IntPtr _gradientsStorage;
    private bool _disposed;

    /// <summary>Gathers <paramref name="parameters"/> into one buffer and prepares the moments (zero).</summary>
    /// <param name="parameters">The tensors to optimise: one dtype (float32 or float64), one device; repeats are taken once.</param>
    /// <param name="learningRate">Step size γ (PyTorch's default 1e-3).</param>
    /// <param name="beta1">Decay of the first moment (0.9).</param>
    /// <param name="beta2">Decay of the second moment (0.999, as PyTorch; TorchSharp's <c>optim.AdamW</c> factory defaults to 0.99).</param>
    /// <param name="eps">Added to the denominator (1e-8).</param>
    /// <param name="weightDecay">Decoupled weight decay λ (PyTorch's default 1e-2).</param>
    /// <exception cref="ArgumentException">No parameters, mixed dtypes or devices, an unsupported dtype, or a hyper-parameter out of range.</exception>
    public FlatAdamW(IEnumerable<Parameter> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 1e-2)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Require(learningRate >= 0 && double.IsFinite(learningRate), nameof(learningRate), $"Expected a finite learning rate ≥ 0; got {learningRate}.");
        Require(beta1 >= 0 && beta1 < 1, nameof(beta1), $"Expected beta1 in [0, 1); got {beta1}.");
        Require(beta2 >= 0 && beta2 < 1, nameof(beta2), $"Expected beta2 in [0, 1); got {beta2}.");
        Require(eps >= 0 && double.IsFinite(eps), nameof(eps), $"Expected a finite eps ≥ 0; got {eps}.");
        Require(weightDecay >= 0 && double.IsFinite(weightDecay), nameof(weightDecay), $"Expected a finite weight decay ≥ 0; got {weightDecay}.");

        _parameters = Distinct(parameters);
        Require(_parameters.Length > 0, nameof(parameters), "Expected at least one parameter that requires a gradient; got none.");
        var dtype = _parameters[0].dtype;
        var device = _parameters[0].device;
        Require(dtype is ScalarType.Float32 or ScalarType.Float64, nameof(parameters), $"Expected float32 or float64 parameters; got {dtype}.");
        for (var i = 1; i < _parameters.Length; i++)
        {
            Require(_parameters[i].dtype == dtype, nameof(parameters), $"Expected every parameter to be {dtype}, as the first; parameter {i} is {_parameters[i].dtype}.");
            Require(_parameters[i].device.ToString() == device.ToString(), nameof(parameters), $"Expected every parameter on {device}, as the first; parameter {i} is on {_parameters[i].device}.");
        }

        LearningRate = learningRate;
        Beta1 = beta1;
        Beta2 = beta2;
        Eps = eps;
        WeightDecay = weightDecay;

        _offsets = new long[_parameters.Length + 1];
        for (var i = 0; i < _parameters.Length; i++)
        {
            _offsets[i + 1] = _offsets[i] + _parameters[i].numel();
        }

        var total = _offsets[^1];
        _values = empty(total, dtype: dtype, device: device);
        _gradients = zeros(total, dtype: dtype, device: device);
        _expAvg = zeros(total, dtype: dtype, device: device);
        _expAvgSq = zeros(total, dtype: dtype, device: device);
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

    /// <summary>Step size γ; set it before <see cref="Step"/> to follow a schedule.</summary>
    public double LearningRate { get; set; }

    /// <summary>Decay of the first moment.</summary>
    public double Beta1 { get; }

    /// <summary>Decay of the second moment.</summary>
    public double Beta2 { get; }

    /// <summary>Added to the denominator.</summary>
    public double Eps { get; }

    /// <summary>Decoupled weight decay λ.</summary>
    public double WeightDecay { get; }

    /// <summary>Steps taken (restored by <see cref="LoadState"/>); the bias corrections use it.</summary>
    public long StepCount { get; private set; }

    /// <summary>The parameters being optimised, in buffer order.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>Number of scalar parameters.</summary>
    public long Count => _offsets[^1];

    /// <summary>Sets every gradient to zero (one operation on the gradient buffer).</summary>
    public void ZeroGrad()
    {
        ThrowIfDisposed();
        using (no_grad())
        {
            EnsureBound();
            _gradients.zero_();
        }
    }

    /// <summary>
    /// Scales the gradients so that their global L2 norm is at most <paramref name="maxNorm"/>, as
    /// <c>torch.nn.utils.clip_grad_norm_</c> does (coefficient <c>maxNorm / (norm + 1e-6)</c>, applied when below 1).
    /// </summary>
    /// <returns>The global norm before clipping.</returns>
    public double ClipGradNorm(double maxNorm)
    {
        ThrowIfDisposed();
        Require(maxNorm > 0 && double.IsFinite(maxNorm), nameof(maxNorm), $"Expected a finite maximum norm > 0; got {maxNorm}.");
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            EnsureBound();
            var norm = _gradients.norm().ToDouble();
            var coefficient = maxNorm / (norm + 1e-6);
            if (coefficient < 1)
            {
                _gradients.mul_(coefficient);
            }

            return norm;
        }
    }

    /// <summary>
    /// One AdamW update of every parameter from its current gradient:
    /// θ ← θ(1 − γλ); m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; θ ← θ − γ/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε).
    /// </summary>
    public void Step()
    {
        ThrowIfDisposed();
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            EnsureBound();
            StepCount++;
            var biasCorrection1 = 1 - Math.Pow(Beta1, StepCount);
            var biasCorrection2 = 1 - Math.Pow(Beta2, StepCount);
            if (WeightDecay != 0)
            {
                _values.mul_(1 - (LearningRate * WeightDecay));
            }

            _expAvg.mul_(Beta1).add_(_gradients, alpha: 1 - Beta1);
            _expAvgSq.mul_(Beta2).addcmul_(_gradients, _gradients, value: 1 - Beta2);
            var denominator = _expAvgSq.sqrt().div_(Math.Sqrt(biasCorrection2)).add_(Eps);
            _values.addcdiv_(_expAvg, denominator, value: -LearningRate / biasCorrection1);
        }
    }

    /// <summary>
    /// Writes the step count and both moments, each parameter's in row-major order whatever its memory layout (the
    /// hyper-parameters belong to the caller's options).
    /// </summary>
    public void SaveState(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ThrowIfDisposed();
        writer.Write(StateMagic);
        writer.Write(Count);
        writer.Write(StepCount);
        using var scope = NewDisposeScope();
        InRowMajorOrder(_expAvg).Save(writer);
        InRowMajorOrder(_expAvgSq).Save(writer);
    }

    /// <summary>Reads a state written by <see cref="SaveState"/> for the same parameters.</summary>
    /// <exception cref="InvalidDataException">The stream holds no optimizer state, or one for a different number of parameters.</exception>
    public void LoadState(BinaryReader reader, string source)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ThrowIfDisposed();
        if (reader.ReadString() != StateMagic)
        {
            throw new InvalidDataException($"'{source}' does not hold FlatAdamW optimizer state where expected.");
        }

        var count = reader.ReadInt64();
        if (count != Count)
        {
            throw new InvalidDataException($"'{source}' holds optimizer state for {count:N0} parameters; this model has {Count:N0}.");
        }

        var step = reader.ReadInt64();
        if (step < 0)
        {
            throw new InvalidDataException($"'{source}' holds a negative optimizer step count ({step}).");
        }

        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            foreach (var moment in new[] { _expAvg, _expAvgSq })
            {
                var rowMajor = empty_like(moment);
                rowMajor.Load(reader);
                for (var i = 0; i < _parameters.Length; i++)
                {
                    InLayout(moment, i).copy_(InRowMajor(rowMajor, i));
                }
            }
        }

        StepCount = step;
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
        _expAvg.Dispose();
        _expAvgSq.Dispose();
    }

    private static Parameter[] Distinct(IEnumerable<Parameter> parameters)
    {
        var seen = new HashSet<IntPtr>();
        var result = new List<Parameter>();
        foreach (var parameter in parameters)
        {
            ArgumentNullException.ThrowIfNull(parameter, nameof(parameters));
            if (parameter.requires_grad && seen.Add(parameter.Handle))
            {
                result.Add(parameter);
            }
        }

        return result.ToArray();
    }

    private static void Require(bool condition, string name, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message, name);
        }
    }

    // A buffer's values with each parameter's segment in row-major order.
    private Tensor InRowMajorOrder(Tensor buffer) =>
        cat(Enumerable.Range(0, _parameters.Length).Select(i => InLayout(buffer, i).reshape(-1)).ToArray());

    // Parameter index's segment of a buffer seen as the parameter: in the slot's layout, or row-major.
    private Tensor InLayout(Tensor buffer, int index) => Segment(buffer, index, _strides[index]);

    private Tensor InRowMajor(Tensor buffer, int index) => Segment(buffer, index, Strides.RowMajor(_parameters[index].shape));

    // Parameter index's segment of a buffer seen as the parameter, laid out with the given strides.
    private Tensor Segment(Tensor buffer, int index, long[] strides) => buffer.as_strided(_parameters[index].shape, strides, _offsets[index]);

    // A slot outlives any dispose scope: it is the parameter's (or gradient's) storage from now on.
    private Tensor Slot(Tensor buffer, int index, long[] strides) => Segment(buffer, index, strides).DetachFromDisposeScope();

    // Every parameter's values and gradient must be its slots. A parameter whose layout changed (say, to channels-last)
    // gets slots of its new layout, with the moments permuted to match; a rebound one gets its values copied back in.
    private void EnsureBound()
    {
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

    private void Relayout(int index, long[] strides)
    {
        using var scope = NewDisposeScope();
        var parameter = _parameters[index];
        foreach (var moment in new[] { _expAvg, _expAvgSq })
        {
            var values = InLayout(moment, index).clone();
            Segment(moment, index, strides).copy_(values);
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

    // The shape was the parameter's when the optimizer was built (so its element count fits the segment).
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
