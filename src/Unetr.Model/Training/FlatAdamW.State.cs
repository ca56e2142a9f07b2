using System;
using System.IO;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Unetr.Model.Training;

public sealed partial class FlatAdamW
{
    /// <summary>
    /// One parameter's AdamW state as TorchSharp's <c>state_dict</c> lists it: the shared step count and the
    /// parameter's segments of the flat moment buffers. It is a window onto the optimizer, not a copy: loading into it
    /// writes the optimizer's buffers.
    /// </summary>
    /// <remarks>
    /// Its stream form (<see cref="SaveStateDict"/>) is that of TorchSharp's <c>AdamW.State</c>: step, first and second
    /// moment in row-major order, then the AMSGrad maximum if any.
    /// </remarks>
    public sealed class State : OptimizerState
    {
        private readonly FlatAdamW _owner;
        private readonly int _index;

        internal State(FlatAdamW owner, int index, Parameter parameter)
            : base(parameter)
        {
            _owner = owner;
            _index = index;
        }

        /// <summary>Steps taken (all parameters of a <see cref="FlatAdamW"/> share it).</summary>
        public long Step => _owner.StepCount;

        /// <summary>The first moment, as a view shaped and laid out like the parameter (dispose it or let a dispose scope do so).</summary>
        public Tensor ExpAvg => _owner._buffer.View(_owner._expAvg, _index);

        /// <summary>The second moment, as a view like <see cref="ExpAvg"/>.</summary>
        public Tensor ExpAvgSq => _owner._buffer.View(_owner._expAvgSq, _index);

        /// <summary>The running maximum of the second moment (AMSGrad), as a view like <see cref="ExpAvg"/>; <c>null</c> until a group with AMSGrad steps.</summary>
        public Tensor? MaxExpAvgSq => _owner._maxExpAvgSq is { } maxima ? _owner._buffer.View(maxima, _index) : null;

        /// <summary>Nothing to do: the moments live in the flat buffers, zero from the start.</summary>
        public override void Initialize(OptimizerOptions options)
        {
        }

        /// <summary>Writes the step and the moments in row-major order, as TorchSharp's <c>AdamW.State</c> does.</summary>
        public override void SaveStateDict(BinaryWriter writer)
        {
            ArgumentNullException.ThrowIfNull(writer);
            using var scope = NewDisposeScope();
            writer.Write(Step);
            ExpAvg.contiguous().Save(writer);
            ExpAvgSq.contiguous().Save(writer);
            SaveConditionalStateTensor(writer, MaxExpAvgSq?.contiguous());
        }

        /// <summary>Reads what <see cref="SaveStateDict"/> (or TorchSharp's <c>AdamW.State</c>) wrote into the optimizer's buffers.</summary>
        /// <exception cref="InvalidDataException">The step differs from the one the parameters before this one gave.</exception>
        public override void LoadStateDict(BinaryReader reader)
        {
            ArgumentNullException.ThrowIfNull(reader);
            using var scope = NewDisposeScope();
            var step = reader.ReadInt64();
            ReadInto(reader, ExpAvg);
            ReadInto(reader, ExpAvgSq);
            if (reader.ReadBoolean())
            {
                _owner._maxExpAvgSq ??= _owner._buffer.AddState();
                ReadInto(reader, MaxExpAvgSq!);
            }
            else
            {
                MaxExpAvgSq?.zero_();
            }

            _owner.RestoreStep(_index, step);
        }

        /// <summary>Copies the state of the same parameter from another <see cref="FlatAdamW"/> or from TorchSharp's <c>AdamW</c>.</summary>
        /// <exception cref="ArgumentException">The source is another kind of optimizer state.</exception>
        /// <exception cref="InvalidDataException">The step differs from the one the parameters before this one gave.</exception>
        public override void LoadStateDict(OptimizerState source)
        {
            using var scope = NewDisposeScope();
            switch (source)
            {
                case State flat:
                    Copy(flat.Step, flat.ExpAvg, flat.ExpAvgSq, flat.MaxExpAvgSq);
                    break;
                case AdamW.State adamW:
                    Copy(adamW.step, adamW.exp_avg, adamW.exp_avg_sq, adamW.max_exp_avg_sq);
                    break;
                default:
                    throw new ArgumentException($"Expected FlatAdamW or AdamW optimizer state; got {source?.GetType().Name ?? "null"}.", nameof(source));
            }
        }

        /// <summary>Same step and moments within <c>allclose</c>'s tolerance.</summary>
        public override bool ApproximatelyEquals(OptimizerState other)
        {
            using var scope = NewDisposeScope();
            return other is State rhs && Step == rhs.Step && ExpAvg.allclose(rhs.ExpAvg) && ExpAvgSq.allclose(rhs.ExpAvgSq) &&
                (MaxExpAvgSq is null) == (rhs.MaxExpAvgSq is null) && (MaxExpAvgSq is null || MaxExpAvgSq.allclose(rhs.MaxExpAvgSq!));
        }

        /// <summary>Not supported: the state lives in the optimizer's flat buffers. Build the optimizer after moving the model.</summary>
        /// <exception cref="NotSupportedException">Always.</exception>
        public override void to(Device device) =>
            throw new NotSupportedException("FlatAdamW's state lives in its flat buffers, on the parameters' device; move the model before building the optimizer.");

        private static void ReadInto(BinaryReader reader, Tensor target)
        {
            var rowMajor = empty(target.shape, dtype: target.dtype);
            rowMajor.Load(reader);
            using (no_grad())
            {
                target.copy_(rowMajor);
            }
        }

        private void Copy(long step, Tensor expAvg, Tensor expAvgSq, Tensor? maxExpAvgSq)
        {
            using (no_grad())
            {
                ExpAvg.copy_(expAvg);
                ExpAvgSq.copy_(expAvgSq);
                if (maxExpAvgSq is not null)
                {
                    _owner._maxExpAvgSq ??= _owner._buffer.AddState();
                    MaxExpAvgSq!.copy_(maxExpAvgSq);
                }
                else
                {
                    MaxExpAvgSq?.zero_();
                }
            }

            _owner.RestoreStep(_index, step);
        }
    }

    // All parameters share one step count: the first parameter's state sets it, the others must agree.
    private void RestoreStep(int index, long step)
    {
        if (step < 0)
        {
            throw new InvalidDataException($"The optimizer state gives parameter {index} a negative step count ({step}).");
        }

        if (index == 0)
        {
            StepCount = step;
        }
        else if (step != StepCount)
        {
            throw new InvalidDataException($"The optimizer state gives parameter 0 {StepCount} steps and parameter {index} {step}; FlatAdamW keeps one step count for all its parameters.");
        }
    }
}
