using System.Collections.Generic;
using Unetr.Generators.Model;

namespace Unetr.Generators.Describe
{
    /// <summary>
    /// The one description of a valid network, from which costs, the summary table, the name-clash check and the
    /// generated source are all read. Equatable, so that the pipeline caches it.
    /// </summary>
    /// <param name="Target">Where the generated partial goes.</param>
    /// <param name="InputShape">Per-sample input shape, [C, spatial…].</param>
    /// <param name="Grid">The token grid: ImageSize / PatchSize per axis.</param>
    /// <param name="Modules">The network's children in construction (and registration) order.</param>
    /// <param name="Steps">The forward pass, one local per step; the last step is the output.</param>
    /// <param name="Total">Every module's cost added up.</param>
    internal sealed record NetworkDescriptor(
        TypeTarget Target,
        EquatableArray<long> InputShape,
        EquatableArray<long> Grid,
        EquatableArray<ModuleNode> Modules,
        EquatableArray<ForwardStep> Steps,
        Cost Total)
    {
        /// <summary>Per-sample output shape: the last step's.</summary>
        public EquatableArray<long> OutputShape => Steps[Steps.Count - 1].Shape;

        /// <summary>The steps that report their output to the stage observer.</summary>
        public IEnumerable<ForwardStep> Stages
        {
            get
            {
                foreach (var step in Steps)
                {
                    if (step.Stage is not null)
                    {
                        yield return step;
                    }
                }
            }
        }

        /// <summary>The children in the order the forward pass first calls them (the summary's order).</summary>
        public IEnumerable<ModuleNode> ModulesInCallOrder
        {
            get
            {
                var byName = new Dictionary<string, ModuleNode>();
                foreach (var module in Modules)
                {
                    byName[module.Name] = module;
                }

                foreach (var step in Steps)
                {
                    if (step.Module is { } name && byName.TryGetValue(name, out var module))
                    {
                        byName.Remove(name);
                        yield return module;
                    }
                }
            }
        }
    }

    /// <summary>
    /// A module of the network. Depth 0: a child of the network; depth 1: a part of it, named like the <c>state_dict</c>
    /// segment below its parent (<c>0</c>, <c>blocks.1</c>, <c>transp_conv</c>).
    /// </summary>
    /// <param name="Name">The <c>state_dict</c> segment (a C# field name at depth 0).</param>
    /// <param name="Kind">The PyTorch class, e.g. <c>ConvTranspose3d</c>, or <c>Block ×12</c> for repeated blocks.</param>
    /// <param name="Block">
    /// The block the generated code constructs, or null for a part that its parent's block builds by itself.
    /// </param>
    /// <param name="Arguments">The constructor arguments of <paramref name="Block"/>, by parameter name.</param>
    /// <param name="OutputShape">Output per sample: [C, spatial…], or [N, E] for tokens.</param>
    /// <param name="Cost">Its parameters and MACs; for a module with parts, the sum of theirs.</param>
    /// <param name="Parts">Its parts, in order; a <see cref="BlockType.Sequential"/> is built from them.</param>
    internal sealed record ModuleNode(
        string Name,
        string Kind,
        BlockType? Block,
        EquatableArray<Argument> Arguments,
        EquatableArray<long> OutputShape,
        Cost Cost,
        EquatableArray<ModuleNode> Parts);

    /// <summary>
    /// A block the generated code constructs: a class of <c>Unetr.Model.Blocks.{Family}</c>, or TorchSharp's
    /// <c>Sequential</c> of the node's parts (<see cref="Sequential"/>).
    /// </summary>
    internal sealed record BlockType(string Family, string Name)
    {
        /// <summary>TorchSharp's Sequential, whose elements are the node's parts (state_dict keys 0, 1, …).</summary>
        public static BlockType Sequential { get; } = new BlockType("", "Sequential");

        public bool IsSequential => Family.Length == 0;
    }

    /// <summary>A named constructor argument.</summary>
    internal sealed record Argument(string Name, ArgumentValue Value);

    /// <summary>A typed constant: the renderer decides how it is written in C#.</summary>
    internal abstract record ArgumentValue
    {
        public static ArgumentValue Of(long value) => new IntegerValue(value);

        public static ArgumentValue Of(bool value) => new BooleanValue(value);

        public static ArgumentValue Of(double value) => new RealValue(value);
    }

    /// <summary>An integer (int or long parameter).</summary>
    internal sealed record IntegerValue(long Value) : ArgumentValue;

    /// <summary>A bool.</summary>
    internal sealed record BooleanValue(bool Value) : ArgumentValue;

    /// <summary>A double.</summary>
    internal sealed record RealValue(double Value) : ArgumentValue;

    /// <summary>An <c>int[]</c>.</summary>
    internal sealed record IntArrayValue(EquatableArray<int> Values) : ArgumentValue;

    /// <summary>A <c>long[]</c>.</summary>
    internal sealed record LongArrayValue(EquatableArray<long> Values) : ArgumentValue;

    /// <summary>A member of an enum of <c>Unetr.Dsl</c>, e.g. NormKind.Instance.</summary>
    internal sealed record DslEnumValue(string EnumType, string Member) : ArgumentValue;

    /// <summary>What one forward step does.</summary>
    internal enum StepOperation
    {
        /// <summary><c>Module.call(inputs…)</c>.</summary>
        Call,

        /// <summary><c>Module.call(cat(inputs, channel axis))</c>.</summary>
        CallOnConcatenation,

        /// <summary><c>Module.call(</c> the <see cref="ToVolume"/> of <c>Inputs[0][HiddenIndex]</c> <c>)</c>.</summary>
        CallOnVolume,

        /// <summary>Token sequence <c>Inputs[0][HiddenIndex]</c> reshaped to a volume on the grid.</summary>
        ToVolume,
    }

    /// <summary>
    /// One line of the forward pass: <c>var Local = …;</c>. A step with a <see cref="Stage"/> reports its output to the
    /// stage observer and is listed in the network's compile-time stage shapes.
    /// </summary>
    /// <param name="Local">The local variable it assigns.</param>
    /// <param name="Operation">What it computes.</param>
    /// <param name="Module">The child it calls, or null for <see cref="StepOperation.ToVolume"/>.</param>
    /// <param name="Inputs">Locals it reads (<c>input</c> is the network's input).</param>
    /// <param name="HiddenIndex">For <see cref="StepOperation.ToVolume"/>: which extracted token sequence.</param>
    /// <param name="Stage">Stage name, or null for a step that is not observed.</param>
    /// <param name="Shape">Per-sample shape of its result (of each of <paramref name="Count"/> results).</param>
    /// <param name="Count">How many tensors it yields (the encoder yields one per extract layer).</param>
    /// <param name="Checkpointed">Whether the call runs through <c>Checkpoint.Call</c> (recomputed in the backward pass).</param>
    internal sealed record ForwardStep(
        string Local,
        StepOperation Operation,
        string? Module,
        EquatableArray<string> Inputs,
        int HiddenIndex,
        string? Stage,
        EquatableArray<long> Shape,
        int Count,
        bool Checkpointed = false);
}
