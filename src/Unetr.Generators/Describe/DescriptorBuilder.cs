using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Unetr.Generators.Model;

namespace Unetr.Generators.Describe
{
    /// <summary>
    /// Collects a network's modules (in construction order) and its forward steps, and ties them together: a step's
    /// shape is the output shape of the module it calls, the last step is the output (<see cref="OutputLocal"/>).
    /// </summary>
    internal sealed class DescriptorBuilder
    {
        /// <summary>The local the forward pass returns, whatever module computes it.</summary>
        public const string OutputLocal = "logits";

        /// <summary>The local holding the encoder's extracted token sequences.</summary>
        public const string HiddenLocal = "hidden";

        /// <summary>The network's input, as the forward's parameter is named.</summary>
        public const string Input = "input";

        private readonly List<ModuleNode> modules = new List<ModuleNode>();
        private readonly Dictionary<string, ModuleNode> byName = new Dictionary<string, ModuleNode>();
        private readonly List<ForwardStep> steps = new List<ForwardStep>();

        public DescriptorBuilder(UnetrSpec spec)
        {
            Spec = spec;
            Levels = new SpatialLevels(spec);
        }

        public UnetrSpec Spec { get; }

        public SpatialLevels Levels { get; }

        /// <summary>Adds a child of the network; children are constructed in the order they are added.</summary>
        public void Add(ModuleNode module)
        {
            modules.Add(module);
            byName.Add(module.Name, module);
        }

        /// <summary><c>hidden = module.call(input)</c>: one token sequence per stage.</summary>
        public void Encode(string module) =>
            steps.Add(new ForwardStep(HiddenLocal, StepOperation.Call, module, Locals(Input), 0, null, byName[module].OutputShape, Spec.Stages));

        /// <summary>The <paramref name="index"/>-th token sequence as a volume on the grid, observed as <paramref name="local"/>.</summary>
        public string ToVolume(string local, int index)
        {
            steps.Add(new ForwardStep(local, StepOperation.ToVolume, null, Locals(HiddenLocal), index, local, Levels.Shape(Spec.EmbedDim, Spec.Stages), 1));
            return local;
        }

        /// <summary><c>module.call(inputs…)</c>, observed as the module's name; returns its local.</summary>
        public string Call(string module, params string[] inputs) => AddCall(StepOperation.Call, module, inputs, 0);

        /// <summary><c>module.call(cat(inputs, channels))</c>.</summary>
        public string CallOnConcatenation(string module, params string[] inputs) => AddCall(StepOperation.CallOnConcatenation, module, inputs, 0);

        /// <summary><c>module.call(the <paramref name="index"/>-th token sequence as a volume)</c>.</summary>
        public string CallOnVolume(string module, int index) => AddCall(StepOperation.CallOnVolume, module, new[] { HiddenLocal }, index);

        public NetworkDescriptor Build()
        {
            var total = Cost.Zero;
            foreach (var module in modules)
            {
                total += module.Cost;
            }

            steps[steps.Count - 1] = steps[steps.Count - 1] with { Local = OutputLocal };
            var grid = Spec.ImageSize.Select(s => (long)(s / Spec.PatchSize)).ToEquatableArray();
            return new NetworkDescriptor(
                Spec.Target,
                Levels.Shape(Spec.InChannels, 0),
                grid,
                modules.ToEquatableArray(),
                steps.ToEquatableArray(),
                total);
        }

        /// <summary>
        /// The ViT encoder, laid out alike by every layout: a patch embedding, <c>Depth</c> pre-norm blocks summarised
        /// in one part, and a final LayerNorm whose parameters exist whether or not it is applied.
        /// </summary>
        /// <param name="parts">The layout's names for the three parts and their PyTorch classes.</param>
        /// <param name="projections">One block's attention projections (the rest of a block is the same everywhere).</param>
        public ModuleNode TransformerEncoder(string name, string kind, BlockType block, EquatableArray<Argument> arguments, EncoderParts parts, Cost projections)
        {
            var tokens = Levels.TokenShape(Spec.EmbedDim);
            var blockCost = LayerCost.PreNormBlock(Spec.EmbedDim, Spec.MlpDim, Levels.Tokens, projections);
            var norm = LayerCost.LayerNorm(Spec.EmbedDim);
            return Module(
                name,
                kind,
                block,
                arguments,
                Part(parts.Embedding, parts.EmbeddingKind, tokens, LayerCost.PatchEmbedding(Spec, Levels)),
                Part(parts.Blocks, parts.BlockKind + " ×" + Spec.Depth.ToString(CultureInfo.InvariantCulture), tokens, blockCost.Times(Spec.Depth)),
                Spec.FinalNorm
                    ? Part(parts.Norm, "LayerNorm", tokens, norm)
                    : Part(parts.Norm, "LayerNorm (never applied)", tokens, norm.NotRun()));
        }

        /// <summary>A child made of <paramref name="parts"/>: its cost is theirs, its output the last one's.</summary>
        public static ModuleNode Module(string name, string kind, BlockType? block, EquatableArray<Argument> arguments, params ModuleNode[] parts)
        {
            var cost = Cost.Zero;
            foreach (var part in parts)
            {
                cost += part.Cost;
            }

            return new ModuleNode(name, kind, block, arguments, parts[parts.Length - 1].OutputShape, cost, parts.ToEquatableArray());
        }

        /// <summary>A TorchSharp Sequential of constructed parts, named 0, 1, … in the state dict.</summary>
        public static ModuleNode Sequential(string name, params ModuleNode[] parts) =>
            Module(name, "Sequential", BlockType.Sequential, EquatableArray<Argument>.Empty, parts);

        /// <summary>A part that its parent block builds itself: described for the summary, not constructed.</summary>
        public static ModuleNode Part(string name, string kind, EquatableArray<long> outputShape, Cost cost) =>
            new ModuleNode(name, kind, null, EquatableArray<Argument>.Empty, outputShape, cost, EquatableArray<ModuleNode>.Empty);

        /// <summary>A part the generated code constructs (an element of a Sequential).</summary>
        public static ModuleNode Constructed(string name, BlockType block, EquatableArray<Argument> arguments, EquatableArray<long> outputShape, Cost cost) =>
            new ModuleNode(name, block.Name, block, arguments, outputShape, cost, EquatableArray<ModuleNode>.Empty);

        /// <summary>Named constructor arguments, in order.</summary>
        public static EquatableArray<Argument> Arguments(params Argument[] arguments) => arguments.ToEquatableArray();

        public static Argument Arg(string name, long value) => new Argument(name, new IntegerValue(value));

        public static Argument Arg(string name, bool value) => new Argument(name, new BooleanValue(value));

        public static Argument Arg(string name, double value) => new Argument(name, new RealValue(value));

        public static Argument Arg(string name, EquatableArray<int> values) => new Argument(name, new IntArrayValue(values));

        public static Argument Longs(string name, IEnumerable<int> values) => new Argument(name, new LongArrayValue(values.Select(v => (long)v).ToEquatableArray()));

        /// <summary>A member of a <c>Unetr.Dsl</c> enum; the generator's mirror enums carry the same member names.</summary>
        public static Argument Enum<TEnum>(string name, string dslType, TEnum value)
            where TEnum : struct => new Argument(name, new DslEnumValue(dslType, value.ToString()));

        private string AddCall(StepOperation operation, string module, string[] inputs, int index)
        {
            var local = module + "Out";
            var shape = byName[module].OutputShape;
            steps.Add(new ForwardStep(local, operation, module, inputs.ToEquatableArray(), index, module, shape, 1, Spec.DecoderCheckpointing));
            return local;
        }

        private static EquatableArray<string> Locals(params string[] names) => names.ToEquatableArray();

        /// <summary>The encoder's arguments, with <c>checkpointing: true</c> appended when the declaration asks for it.</summary>
        public EquatableArray<Argument> EncoderArguments(params Argument[] arguments) =>
            Spec.EncoderCheckpointing ? arguments.Concat(new[] { Arg("checkpointing", true) }).ToEquatableArray() : arguments.ToEquatableArray();
    }

    /// <summary>A layout's <c>state_dict</c> names for the encoder's parts, and the PyTorch classes of the first two.</summary>
    internal sealed record EncoderParts(string Embedding, string EmbeddingKind, string Blocks, string BlockKind, string Norm);
}
