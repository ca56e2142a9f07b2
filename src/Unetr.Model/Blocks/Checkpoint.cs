using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks
{
    /// <summary>
    /// Activation checkpointing: a module's forward in training runs without autograd and keeps only its inputs; the
    /// backward pass runs the forward again with autograd on those inputs and back-propagates through it. The gradients
    /// are the plain module's (the same operations on the same values); the memory of the module's inner activations is
    /// traded for one more forward pass. Outside training, or with autograd off, the module runs as usual.
    /// </summary>
    /// <remarks>
    /// Buffers (batch norm's running statistics) are saved before the recomputation and put back after it, so the
    /// recomputation does not count a batch twice. A module in which no sample affects another (no batch norm anywhere
    /// in it) is recomputed and back-propagated one sample at a time: the recomputed activations and their gradients are
    /// then those of one sample, not of the batch, which is what sets the backward pass's peak at 96³ and above
    /// (docs/speed-notes.md, eighth session). Parameter gradients are the sum of the samples' (the same sums, added in
    /// another order). Dropout is not supported: the blocks refuse checkpointing with a
    /// dropout rate above 0 (<see cref="RequireNoDropout"/>), because a recomputed dropout would draw another mask.
    /// </remarks>
    public static class Checkpoint
    {
        private static long recomputations;
        private static long samplewiseRecomputations;

        /// <summary>How many checkpointed calls this process has recomputed in a backward pass.</summary>
        public static long Recomputations => System.Threading.Interlocked.Read(ref recomputations);

        /// <summary>How many of <see cref="Recomputations"/> went one sample at a time (batch above 1, no batch norm).</summary>
        public static long SamplewiseRecomputations => System.Threading.Interlocked.Read(ref samplewiseRecomputations);

        internal static void CountRecomputation(bool samplewise)
        {
            System.Threading.Interlocked.Increment(ref recomputations);
            if (samplewise)
            {
                System.Threading.Interlocked.Increment(ref samplewiseRecomputations);
            }
        }

        /// <summary>
        /// Whether no sample of a batch affects another's output in <paramref name="module"/>: true unless it holds a batch
        /// norm (which normalises with statistics over the batch in training).
        /// </summary>
        public static bool SamplesIndependent(nn.Module module)
        {
            ArgumentNullException.ThrowIfNull(module);
            return !module.modules().Prepend(module).Any(m => m.GetType().Name.StartsWith("BatchNorm", StringComparison.Ordinal));
        }

        /// <summary>Runs <paramref name="module"/> on <paramref name="input"/>, checkpointed when training with autograd.</summary>
        public static Tensor Call(nn.Module<Tensor, Tensor> module, Tensor input)
        {
            ArgumentNullException.ThrowIfNull(module);
            return Run(module, inputs => module.call(inputs[0]), input);
        }

        /// <summary>Runs <paramref name="module"/> on two inputs, checkpointed when training with autograd.</summary>
        public static Tensor Call(nn.Module<Tensor, Tensor, Tensor> module, Tensor first, Tensor second)
        {
            ArgumentNullException.ThrowIfNull(module);
            return Run(module, inputs => module.call(inputs[0], inputs[1]), first, second);
        }

        /// <summary>Throws when a block is asked to checkpoint with dropout, which it would recompute with another mask.</summary>
        /// <exception cref="ArgumentException"><paramref name="checkpointing"/> with <paramref name="dropout"/> above 0.</exception>
        public static void RequireNoDropout(bool checkpointing, double dropout)
        {
            if (checkpointing && dropout > 0)
            {
                throw new ArgumentException(
                    $"Checkpointing recomputes the blocks in the backward pass and cannot repeat their dropout masks; set Dropout = 0 (it is {dropout}) or Checkpointing = false.",
                    nameof(dropout));
            }
        }

        private static Tensor Run(nn.Module module, Func<Tensor[], Tensor> forward, params Tensor[] inputs)
        {
            if (!module.training || !torch.is_grad_enabled())
            {
                return forward(inputs);
            }

            var parameters = module.parameters().Where(p => p.requires_grad).ToArray();
            if (parameters.Length == 0 && !inputs.Any(input => input.requires_grad))
            {
                return forward(inputs);
            }

            // The parameters are inputs of the function too, so that the autograd graph routes their gradients.
            var recipe = new Recipe(module, forward, inputs.Length, parameters.Length, SamplesIndependent(module));
            var arguments = new object[] { recipe }.Concat(inputs).Concat(parameters).ToArray();
            return CheckpointFunction.apply(arguments);
        }

        /// <summary>What the backward pass needs to recompute a checkpointed call.</summary>
        internal sealed record Recipe(nn.Module Module, Func<Tensor[], Tensor> Forward, int Inputs, int Parameters, bool Samplewise);
    }

    /// <summary>The custom autograd function behind <see cref="Checkpoint"/>.</summary>
    internal sealed class CheckpointFunction : torch.autograd.SingleTensorFunction<CheckpointFunction>
    {
        private const string RecipeKey = "recipe";

        // Gradients handed to autograd by the previous backward: autograd holds its own references once the call returns,
        // so they are disposed at the next call rather than left to the finalizer.
        [ThreadStatic]
        private static List<Tensor>? handedOver;

        /// <inheritdoc />
        public override string Name => "UnetrCheckpoint";

        /// <inheritdoc />
        public override Tensor forward(torch.autograd.AutogradContext ctx, params object[] vars)
        {
            ArgumentNullException.ThrowIfNull(ctx);
            ArgumentNullException.ThrowIfNull(vars);
            var recipe = (Checkpoint.Recipe)vars[0];
            var inputs = vars.Skip(1).Take(recipe.Inputs).Cast<Tensor>().ToArray();
            ctx.save_data(RecipeKey, recipe);
            ctx.save_for_backward(inputs.ToList());

            // TorchSharp runs this with autograd off: nothing inside the module is kept for the backward pass. The module's
            // intermediate tensors are freed here, not when the caller's dispose scope ends (a training step's scope
            // would otherwise keep every one of them to the end of the step, and checkpointing would save nothing).
            using var scope = torch.NewDisposeScope();
            return recipe.Forward(inputs).MoveToOuterDisposeScope();
        }

        /// <inheritdoc />
        public override List<Tensor> backward(torch.autograd.AutogradContext ctx, Tensor grad_output)
        {
            ArgumentNullException.ThrowIfNull(ctx);
            var recipe = (Checkpoint.Recipe)ctx.get_data(RecipeKey);
            if (handedOver is not null)
            {
                handedOver.ForEach(t => t?.Dispose());
            }

            handedOver = new List<Tensor>();
            var result = new List<Tensor> { null! };
            using (var scope = torch.NewDisposeScope())
            {
                var saved = ctx.get_saved_variables();
                var parameters = recipe.Module.parameters().Where(p => p.requires_grad).ToArray();
                if (parameters.Length != recipe.Parameters)
                {
                    throw new InvalidOperationException($"The checkpointed module's trainable parameters changed between forward ({recipe.Parameters}) and backward ({parameters.Length}).");
                }

                var buffers = recipe.Module.buffers().ToArray();
                Tensor[] kept;
                using (torch.no_grad())
                {
                    kept = buffers.Select(b => b.clone()).ToArray();
                }

                var batch = saved.Count > 0 && saved[0].dim() > 0 ? saved[0].shape[0] : 1;
                var samplewise = recipe.Samplewise && batch > 1
                    && saved.All(t => t.dim() > 0 && t.shape[0] == batch) && grad_output.dim() > 0 && grad_output.shape[0] == batch;
                var needed = saved.Select(t => t.requires_grad).ToArray();
                var inputGradients = new Tensor?[saved.Count];
                var parameterGradients = new Tensor?[parameters.Length];
                if (samplewise)
                {
                    for (var i = 0; i < saved.Count; i++)
                    {
                        inputGradients[i] = needed[i] ? torch.empty_like(saved[i]) : null;
                    }

                    for (var sample = 0L; sample < batch; sample++)
                    {
                        // One sample's recomputed activations and gradients at a time: freed before the next sample's.
                        using var sampleScope = torch.NewDisposeScope();
                        var (inputs, weights) = Backpropagate(recipe, saved.Select(t => t.narrow(0, sample, 1)).ToArray(), needed, parameters, grad_output.narrow(0, sample, 1));
                        using (torch.no_grad())
                        {
                            for (var i = 0; i < saved.Count; i++)
                            {
                                if (inputGradients[i] is { } gradient)
                                {
                                    CopyOrZero(gradient.narrow(0, sample, 1), inputs[i]);
                                }
                            }

                            for (var p = 0; p < parameters.Length; p++)
                            {
                                if (weights[p] is not { } weight || weight.IsInvalid)
                                {
                                    continue;
                                }

                                if (parameterGradients[p] is { } sum)
                                {
                                    sum.add_(weight);
                                }
                                else
                                {
                                    parameterGradients[p] = weight.clone().MoveToOuterDisposeScope();
                                }
                            }
                        }
                    }
                }
                else
                {
                    (inputGradients, parameterGradients) = Backpropagate(recipe, saved.ToArray(), needed, parameters, grad_output);
                }

                Checkpoint.CountRecomputation(samplewise);

                // After the gradients: batch norm's backward node holds the running statistics, and writing them
                // earlier would count as modifying a tensor autograd saved.
                using (torch.no_grad())
                {
                    for (var i = 0; i < buffers.Length; i++)
                    {
                        buffers[i].copy_(kept[i]);
                    }
                }

                result.AddRange(inputGradients.Select(Keep));
                result.AddRange(parameterGradients.Select(Keep));
            }

            return result;
        }

        // Recomputes the module on detached copies of its inputs with autograd on and back-propagates grad_output: the
        // gradients of the inputs that need one (null for the others) and of the parameters (null where unused).
        private static (Tensor?[] Inputs, Tensor?[] Parameters) Backpropagate(Checkpoint.Recipe recipe, Tensor[] inputs, bool[] needed, Tensor[] parameters, Tensor gradOutput)
        {
            Tensor output;
            Tensor[] replayed;
            using (torch.enable_grad())
            {
                replayed = inputs.Select((t, i) => t.detach().requires_grad_(needed[i])).ToArray();

                // Only the output's handle is kept: the graph holds what its backward needs and frees each saved
                // tensor as autograd.grad consumes it; handles to the other intermediates would keep them all alive.
                using var recomputation = torch.NewDisposeScope();
                output = recipe.Forward(replayed).MoveToOuterDisposeScope();
            }

            var wrt = replayed.Where(t => t.requires_grad).Concat(parameters).ToArray();
            var grads = torch.autograd.grad(new[] { output }, wrt, new[] { gradOutput }, allow_unused: true);
            output.Dispose();
            var next = 0;
            var inputGradients = needed.Select(n => n ? grads[next++] : null).ToArray();
            var parameterGradients = parameters.Select(_ => (Tensor?)grads[next++]).ToArray();
            return (inputGradients, parameterGradients);
        }

        private static void CopyOrZero(Tensor target, Tensor? gradient)
        {
            if (gradient is null || gradient.IsInvalid)
            {
                target.zero_();
            }
            else
            {
                target.copy_(gradient);
            }
        }

        private static Tensor Keep(Tensor? gradient)
        {
            if (gradient is null || gradient.IsInvalid)
            {
                return null!;
            }

            gradient.DetachFromDisposeScope();
            handedOver!.Add(gradient);
            return gradient;
        }
    }
}
