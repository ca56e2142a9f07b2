using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using Unetr.Model.Training.Distributed;
using static TorchSharp.torch;

namespace Unetr.Model.Training;

/// <summary>
/// AdamW with decoupled weight decay (PyTorch's <c>torch.optim.AdamW</c>: the same update, in the same order, for
/// every element; see <see cref="AdamWUpdate"/>) as a TorchSharp optimizer whose parameters live in one flat buffer
/// (<see cref="FlatParameterBuffer"/>), so that a step is one fused update per parameter group, whatever the number of
/// parameter tensors, instead of about ten operations per tensor.
/// </summary>
/// <remarks>
/// <para>
/// The <c>torch.optim.Optimizer</c> contract: parameter groups (<see cref="AdamW.ParamGroup"/>, each with its own
/// learning rate, betas, eps, weight decay, amsgrad and maximize; <c>ParamGroups</c> for LR schedulers such as
/// <c>torch.optim.lr_scheduler.StepLR</c>; <see cref="Betas"/> for those that cycle momentum), <see cref="step"/>
/// with an optional closure, <see cref="zero_grad"/>, <c>parameters()</c>, and TorchSharp's
/// <c>state_dict</c>/<c>load_state_dict</c> (one <see cref="State"/> per parameter; a TorchSharp <c>AdamW</c>'s state
/// dict loads too). The groups are fixed when it is built: <see cref="add_param_group"/> is not supported.
/// </para>
/// <para>
/// Differences from <c>torch.optim.AdamW</c>: gradients are never <c>None</c> (they are views of the flat gradient
/// buffer, zeroed in place), so every parameter is updated at every step, and all parameters share one step count.
/// </para>
/// <para>
/// On SeedBench64 (283 parameter tensors), TorchSharp's <c>optim.AdamW</c> spends most of its step in the
/// per-tensor calls; see docs/speed-notes.md for the measured step times.
/// </para>
/// </remarks>
public sealed partial class FlatAdamW : OptimizerHelper, optim.IBetas
{
    private const string StateMagic = "Unetr FlatAdamW state";
    private const string AmsGradStateMagic = "Unetr FlatAdamW state with AMSGrad maxima";

    private readonly FlatParameterBuffer _buffer;
    private readonly Tensor _expAvg;
    private readonly Tensor _expAvgSq;
    private readonly (int First, int End)[] _groupRanges;
    private Tensor? _maxExpAvgSq;
    private bool _disposed;

    /// <summary>One parameter group over <paramref name="parameters"/>; prepares the moments (zero).</summary>
    /// <param name="parameters">The tensors to optimise: one dtype (float32 or float64), one device; repeats are taken once, tensors that need no gradient left out.</param>
    /// <param name="learningRate">Step size γ (PyTorch's default 1e-3).</param>
    /// <param name="beta1">Decay of the first moment (0.9).</param>
    /// <param name="beta2">Decay of the second moment (0.999, as PyTorch; TorchSharp's <c>optim.AdamW</c> factory defaults to 0.99).</param>
    /// <param name="eps">Added to the denominator (1e-8).</param>
    /// <param name="weightDecay">Decoupled weight decay λ (PyTorch's default 1e-2).</param>
    /// <param name="amsgrad">Divide by the running maximum of the second moment (AMSGrad).</param>
    /// <param name="maximize">Ascend the objective instead of descending it.</param>
    /// <exception cref="ArgumentException">No parameters, mixed dtypes or devices, an unsupported dtype, or a hyper-parameter out of range.</exception>
    public FlatAdamW(IEnumerable<Parameter> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 1e-2, bool amsgrad = false, bool maximize = false)
        : this(new[] { new AdamW.ParamGroup { Parameters = parameters ?? throw new ArgumentNullException(nameof(parameters)) } }, learningRate, beta1, beta2, eps, weightDecay, amsgrad, maximize)
    {
    }

    /// <summary>
    /// Several parameter groups, as TorchSharp's <c>AdamW</c> takes them: an option a group leaves unset takes the value
    /// given here. The groups' parameters are gathered, group after group, into one buffer.
    /// </summary>
    /// <param name="groups">The groups; a parameter may appear in only one of them.</param>
    /// <param name="learningRate">Default step size γ.</param>
    /// <param name="beta1">Default decay of the first moment.</param>
    /// <param name="beta2">Default decay of the second moment.</param>
    /// <param name="eps">Default term added to the denominator.</param>
    /// <param name="weightDecay">Default decoupled weight decay λ.</param>
    /// <param name="amsgrad">Default for AMSGrad.</param>
    /// <param name="maximize">Default for maximising.</param>
    /// <exception cref="ArgumentException">No parameters, a parameter in two groups, mixed dtypes or devices, an unsupported dtype, or a hyper-parameter out of range.</exception>
    public FlatAdamW(IEnumerable<AdamW.ParamGroup> groups, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 1e-2, bool amsgrad = false, bool maximize = false)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var defaults = new AdamW.Options
        {
            LearningRate = learningRate,
            InitialLearningRate = learningRate,
            beta1 = beta1,
            beta2 = beta2,
            eps = eps,
            weight_decay = weightDecay,
            amsgrad = amsgrad,
            maximize = maximize,
        };
        Validate(defaults, group: null);
        _defaults = defaults;
        _parameter_groups = new List<ParamGroup>();

        var ordered = new List<Parameter>();
        var groupOf = new Dictionary<IntPtr, int>();
        var ranges = new List<(int First, int End)>();
        foreach (var group in groups)
        {
            ArgumentNullException.ThrowIfNull(group, nameof(groups));
            var index = ranges.Count;
            var options = group.Options ??= new AdamW.Options();
            options.LearningRate ??= defaults.LearningRate;
            options.beta1 ??= defaults.beta1;
            options.beta2 ??= defaults.beta2;
            options.eps ??= defaults.eps;
            options.weight_decay ??= defaults.weight_decay;
            options.amsgrad ??= defaults.amsgrad;
            options.maximize ??= defaults.maximize;
            options.InitialLearningRate = options.LearningRate!.Value;
            Validate(options, index);

            var first = ordered.Count;
            foreach (var parameter in group.Parameters ?? throw new ArgumentException($"Parameter group {index} has no parameters list.", nameof(groups)))
            {
                ArgumentNullException.ThrowIfNull(parameter, nameof(groups));
                if (!parameter.requires_grad)
                {
                    continue;
                }

                if (groupOf.TryAdd(parameter.Handle, index))
                {
                    ordered.Add(parameter);
                }
                else if (groupOf[parameter.Handle] != index)
                {
                    throw new ArgumentException($"A parameter of group {index} is also in group {groupOf[parameter.Handle]}; a parameter may appear in only one group.", nameof(groups));
                }
            }

            group.Parameters = ordered.GetRange(first, ordered.Count - first).ToArray();
            ranges.Add((first, ordered.Count));
            _parameter_groups.Add(group);
        }

        _groupRanges = ranges.ToArray();
        _buffer = new FlatParameterBuffer(ordered);
        _expAvg = _buffer.AddState();
        _expAvgSq = _buffer.AddState();
        for (var i = 0; i < ordered.Count; i++)
        {
            _state[ordered[i].Handle] = new State(this, i, ordered[i]);
        }
    }

    /// <summary>Steps taken (restored by <see cref="LoadState"/> and <c>load_state_dict</c>); the bias corrections use it.</summary>
    public long StepCount { get; private set; }

    /// <summary>Number of scalar parameters.</summary>
    public long Count => _buffer.Count;

    /// <summary>
    /// The default (β₁, β₂), as on TorchSharp's <c>AdamW</c>; the groups took theirs when the optimizer was built. Its
    /// presence tells schedulers that cycle momentum (<c>OneCycleLR</c>) to cycle each group's β₁.
    /// </summary>
    public (double, double) Betas
    {
        get => (Defaults.beta1!.Value, Defaults.beta2!.Value);
        set => (Defaults.beta1, Defaults.beta2) = value;
    }

    /// <summary>Sets every gradient to zero in place (one operation on the gradient buffer; PyTorch's <c>set_to_none=False</c>).</summary>
    public override void zero_grad()
    {
        ThrowIfDisposed();
        using (no_grad())
        {
            _buffer.EnsureBound();
            _buffer.Gradients.zero_();
        }
    }

    /// <summary>
    /// Replaces every gradient with its mean over the ranks of <paramref name="group"/> (an allreduce over the flat
    /// gradient buffer, moved in buckets by the group), so that clipping and <see cref="step"/> then act on the same
    /// gradients on every rank. Every rank must call it at the same point.
    /// </summary>
    public void AverageGradients(IProcessGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        ThrowIfDisposed();
        using (no_grad())
        {
            _buffer.EnsureBound();
            group.AllReduce(_buffer.Gradients);
            _buffer.Gradients.div_(group.Size);
        }
    }

    /// <summary>Overwrites every parameter with rank <paramref name="root"/>'s values (one broadcast of the flat values buffer). Every rank must call it.</summary>
    public void BroadcastParameters(IProcessGroup group, int root = 0)
    {
        ArgumentNullException.ThrowIfNull(group);
        ThrowIfDisposed();
        using (no_grad())
        {
            _buffer.EnsureBound();
            group.Broadcast(_buffer.Values, root);
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
            _buffer.EnsureBound();
            var norm = _buffer.Gradients.norm().ToDouble();
            var coefficient = maxNorm / (norm + 1e-6);
            if (coefficient < 1)
            {
                _buffer.Gradients.mul_(coefficient);
            }

            return norm;
        }
    }

    /// <summary>
    /// One AdamW update (<see cref="AdamWUpdate.Apply"/>) of every parameter from its current gradient, with its
    /// group's hyper-parameters as they are now (an LR scheduler may have changed the learning rate).
    /// </summary>
    /// <param name="closure">Re-evaluates the model and returns the loss (gradients enabled); <c>null</c> uses the current gradients.</param>
    /// <returns>The closure's loss, or <c>null</c> without a closure.</returns>
    public override Tensor? step(Func<Tensor>? closure = null)
    {
        ThrowIfDisposed();
        Tensor? loss = null;
        if (closure is not null)
        {
            using (enable_grad())
            {
                loss = closure();
            }
        }

        using var scope = NewDisposeScope();
        using (no_grad())
        {
            _buffer.EnsureBound();
            StepCount++;
            var groups = _parameter_groups;
            for (var g = 0; g < groups.Count; g++)
            {
                var (first, end) = _groupRanges[g];
                if (first == end)
                {
                    continue;
                }

                var options = (AdamW.Options)groups[g].Options;
                if (options.amsgrad == true)
                {
                    _maxExpAvgSq ??= _buffer.AddState();
                }

                AdamWUpdate.Apply(options, StepCount, Range(_buffer.Values, first, end), Range(_buffer.Gradients, first, end), Range(_expAvg, first, end), Range(_expAvgSq, first, end), _maxExpAvgSq is null ? null : Range(_maxExpAvgSq, first, end));
            }
        }

        return loss;
    }

    /// <summary>Not supported: the flat buffer is laid out when the optimizer is built. Build a new one with every group.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override void add_param_group(ParamGroup param_group) =>
        throw new NotSupportedException("FlatAdamW gathers its parameter groups into one buffer when it is built; build a new FlatAdamW with every group instead of adding one.");

    /// <summary>
    /// Writes the step count and the moments, each parameter's in row-major order whatever its memory layout: the
    /// compact form training checkpoints use (the hyper-parameters belong to the caller's options).
    /// </summary>
    public void SaveState(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ThrowIfDisposed();
        writer.Write(_maxExpAvgSq is null ? StateMagic : AmsGradStateMagic);
        writer.Write(Count);
        writer.Write(StepCount);
        foreach (var moment in Moments())
        {
            using var scope = NewDisposeScope();
            _buffer.InRowMajorOrder(moment).Save(writer);
        }
    }

    /// <summary>Reads a state written by <see cref="SaveState"/> for the same parameters.</summary>
    /// <exception cref="InvalidDataException">The stream holds no optimizer state, one for a different number of parameters, or AMSGrad maxima this optimizer does not keep.</exception>
    public void LoadState(BinaryReader reader, string source)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ThrowIfDisposed();
        var magic = reader.ReadString();
        if (magic is not (StateMagic or AmsGradStateMagic))
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

        var hasMaxima = magic == AmsGradStateMagic;
        if (hasMaxima && !UsesAmsGrad())
        {
            throw new InvalidDataException($"'{source}' holds AMSGrad optimizer state; this optimizer does not use AMSGrad.");
        }

        if (hasMaxima)
        {
            _maxExpAvgSq ??= _buffer.AddState();
        }
        else
        {
            _maxExpAvgSq?.zero_();
        }

        foreach (var moment in Moments())
        {
            using var scope = NewDisposeScope();
            var rowMajor = empty_like(moment);
            rowMajor.Load(reader);
            _buffer.CopyFromRowMajorOrder(moment, rowMajor);
        }

        StepCount = step;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && !_disposed)
        {
            _disposed = true;
            _buffer.Dispose();
        }
    }

    private AdamW.Options Defaults => (AdamW.Options)_defaults;

    private static Tensor Range(Tensor buffer, long first, long end) => buffer.narrow(0, first, end - first);

    private Tensor Range(Tensor buffer, int first, int end) =>
        first == 0 && end == _buffer.Parameters.Count ? buffer : Range(buffer, _buffer.Offset(first), _buffer.Offset(end));

    private IEnumerable<Tensor> Moments() => _maxExpAvgSq is null ? new[] { _expAvg, _expAvgSq } : new[] { _expAvg, _expAvgSq, _maxExpAvgSq };

    private bool UsesAmsGrad() => _parameter_groups.Any(g => ((AdamW.Options)g.Options).amsgrad == true);

    private static void Validate(AdamW.Options options, int? group)
    {
        var where = group is null ? string.Empty : $" in parameter group {group}";
        var learningRate = options.LearningRate!.Value;
        Require(learningRate >= 0 && double.IsFinite(learningRate), "learningRate", $"Expected a finite learning rate ≥ 0{where}; got {learningRate}.");
        Require(options.beta1 is >= 0 and < 1, "beta1", $"Expected beta1 in [0, 1){where}; got {options.beta1}.");
        Require(options.beta2 is >= 0 and < 1, "beta2", $"Expected beta2 in [0, 1){where}; got {options.beta2}.");
        Require(options.eps is { } eps && eps >= 0 && double.IsFinite(eps), "eps", $"Expected a finite eps ≥ 0{where}; got {options.eps}.");
        Require(options.weight_decay is { } decay && decay >= 0 && double.IsFinite(decay), "weightDecay", $"Expected a finite weight decay ≥ 0{where}; got {options.weight_decay}.");
    }

    private static void Require(bool condition, string name, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message, name);
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
