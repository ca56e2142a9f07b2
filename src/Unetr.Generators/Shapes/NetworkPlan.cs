using System.Collections.Generic;
using System.Linq;
using Unetr.Generators.Model;

namespace Unetr.Generators.Shapes
{
    /// <summary>A child module of the generated network: field name (the state_dict segment), type, construction.</summary>
    internal sealed record FieldPlan(string Name, string Type, string Construction);

    /// <summary>
    /// One line of the generated forward: <c>var Local = Expression;</c>. A step with a <see cref="Stage"/> name reports its
    /// output to the stage observer and is listed in the class's compile-time stage shapes.
    /// </summary>
    internal sealed record StepPlan(string Local, string Expression, string? Stage, EquatableArray<long> Shape, int Count = 1);

    /// <summary>The generated network's children and forward, with the per-sample shape (no batch axis) of every step.</summary>
    internal sealed record NetworkPlan(
        EquatableArray<long> InputShape,
        EquatableArray<long> OutputShape,
        EquatableArray<long> Grid,
        EquatableArray<FieldPlan> Fields,
        EquatableArray<StepPlan> Steps,
        string OutputLocal)
    {
        public IEnumerable<StepPlan> Stages => Steps.Where(s => s.Stage is not null);
    }

    /// <summary>Lays out the top level of a valid spec as the PyTorch reference of its layout does.</summary>
    internal static class NetworkPlanner
    {
        // Fully qualified: a type of the user's own namespace (say a class named Tokens) would win over any using directive.
        private const string Blocks = "global::Unetr.Model.Blocks";
        private const string Seed = Blocks + ".Seed";
        private const string Monai = Blocks + ".Monai";
        private const string Dsl = "global::Unetr.Dsl";
        private const string Torch = "global::TorchSharp.torch";
        private const string SequentialType = "global::TorchSharp.Modules.Sequential";
        private const string SequentialCall = Torch + ".nn.Sequential";

        public static NetworkPlan Plan(UnetrSpec spec) =>
            spec.Layout == Layout.Seed ? PlanSeed(spec) : PlanMonai(spec);

        private static NetworkPlan PlanSeed(UnetrSpec spec)
        {
            var g = new Geometry(spec);
            var n = spec.Stages;
            var e = spec.ExtractLayers;
            var w = spec.Widths;
            var d = spec.SpatialDims;
            var fields = new List<FieldPlan>
            {
                new FieldPlan("transformer", $"{Seed}.SeedTransformer",
                    $"new {Seed}.SeedTransformer(spatialDims: {d}, inChannels: {spec.InChannels}, imageSize: {g.ImageLiteral}, patchSize: {spec.PatchSize}, embedDim: {spec.EmbedDim}, depth: {spec.Depth}, heads: {spec.Heads}, mlpDim: {spec.MlpDim}, extractLayers: {IntArray(e)}, dropout: {Literal(spec.Dropout)}, activation: {Dsl}.MlpActivation.{spec.Activation}, finalNorm: {Bool(spec.FinalNorm)})"),
                new FieldPlan("decoder0", SequentialType,
                    $"{SequentialCall}(new {Seed}.ConvBlock({d}, {spec.InChannels}, {spec.StemWidth}), new {Seed}.ConvBlock({d}, {spec.StemWidth}, {w[0]}))"),
            };

            for (var i = 1; i < n; i++)
            {
                var chain = new List<string>();
                var from = (long)spec.EmbedDim;
                for (var k = n - 1; k >= i; k--)
                {
                    chain.Add($"new {Seed}.DeconvBlock({d}, {from}, {w[k]})");
                    from = w[k];
                }

                fields.Add(chain.Count == 1
                    ? new FieldPlan($"decoder{e[i - 1]}", $"{Seed}.DeconvBlock", chain[0])
                    : new FieldPlan($"decoder{e[i - 1]}", SequentialType, $"{SequentialCall}({string.Join(", ", chain)})"));
            }

            fields.Add(new FieldPlan($"decoder{e[n - 1]}_upsampler", $"{Seed}.SingleDeconvBlock", $"new {Seed}.SingleDeconvBlock({d}, {spec.EmbedDim}, {w[n - 1]})"));
            for (var i = n - 1; i >= 1; i--)
            {
                fields.Add(new FieldPlan($"decoder{e[i - 1]}_upsampler", SequentialType,
                    $"{SequentialCall}(new {Seed}.ConvBlock({d}, {2L * w[i]}, {w[i]}), new {Seed}.ConvBlock({d}, {w[i]}, {w[i]}), new {Seed}.SingleDeconvBlock({d}, {w[i]}, {w[i - 1]}))"));
            }

            fields.Add(new FieldPlan("decoder0_header", SequentialType,
                $"{SequentialCall}(new {Seed}.ConvBlock({d}, {2L * w[0]}, {w[0]}), new {Seed}.ConvBlock({d}, {w[0]}, {w[0]}), new {Seed}.SingleConvBlock({d}, {w[0]}, {spec.OutChannels}, 1))"));

            var steps = new List<StepPlan> { new StepPlan("hidden", "transformer.call(input)", null, g.Tokens, n) };
            for (var i = 1; i <= n; i++)
            {
                steps.Add(new StepPlan($"hidden{e[i - 1]}", $"{Blocks}.Tokens.ToVolume(hidden[{i - 1}], Grid)", $"hidden{e[i - 1]}", g.At(spec.EmbedDim, 0)));
            }

            var up = $"decoder{e[n - 1]}_upsampler";
            steps.Add(new StepPlan(Local(up), $"{up}.call(hidden{e[n - 1]})", up, g.At(w[n - 1], 1)));
            for (var i = n - 1; i >= 1; i--)
            {
                var skip = $"decoder{e[i - 1]}";
                steps.Add(new StepPlan(Local(skip), $"{skip}.call(hidden{e[i - 1]})", skip, g.At(w[i], n - i)));
                var next = $"decoder{e[i - 1]}_upsampler";
                steps.Add(new StepPlan(Local(next), $"{next}.call({Torch}.cat(new[] {{ {Local(skip)}, {Local(up)} }}, 1))", next, g.At(w[i - 1], n - i + 1)));
                up = next;
            }

            steps.Add(new StepPlan("decoder0Out", "decoder0.call(input)", "decoder0", g.At(w[0], n)));
            steps.Add(new StepPlan("decoder0_headerOut", $"decoder0_header.call({Torch}.cat(new[] {{ decoder0Out, {Local(up)} }}, 1))", "decoder0_header", g.At(spec.OutChannels, n)));
            return g.Plan(fields, steps);
        }

        private static NetworkPlan PlanMonai(UnetrSpec spec)
        {
            var g = new Geometry(spec);
            var n = spec.Stages;
            var w = spec.Widths;
            var d = spec.SpatialDims;
            var blockArgs = $"{Dsl}.NormKind.{spec.Norm}, residual: {Bool(spec.Residual)}";
            var fields = new List<FieldPlan>
            {
                new FieldPlan("vit", $"{Monai}.ViT",
                    $"new {Monai}.ViT(spatialDims: {d}, inChannels: {spec.InChannels}, imageSize: {g.ImageLiteral}, patchSize: {spec.PatchSize}, hiddenSize: {spec.EmbedDim}, mlpDim: {spec.MlpDim}, depth: {spec.Depth}, heads: {spec.Heads}, projection: {Dsl}.PatchProjection.{spec.Projection}, dropout: {Literal(spec.Dropout)}, qkvBias: {Bool(spec.QkvBias)}, activation: {Dsl}.MlpActivation.{spec.Activation}, finalNorm: {Bool(spec.FinalNorm)}, extractLayers: {IntArray(spec.ExtractLayers)})"),
                new FieldPlan("encoder1", $"{Monai}.UnetrBasicBlock", $"new {Monai}.UnetrBasicBlock({d}, {spec.InChannels}, {w[0]}, {blockArgs})"),
            };
            for (var k = 1; k < n; k++)
            {
                fields.Add(new FieldPlan($"encoder{k + 1}", $"{Monai}.UnetrPrUpBlock", $"new {Monai}.UnetrPrUpBlock({d}, {spec.EmbedDim}, {w[k]}, {n - 1 - k}, {blockArgs})"));
            }

            fields.Add(new FieldPlan($"decoder{n + 1}", $"{Monai}.UnetrUpBlock", $"new {Monai}.UnetrUpBlock({d}, {spec.EmbedDim}, {w[n - 1]}, {blockArgs})"));
            for (var k = n - 1; k >= 1; k--)
            {
                fields.Add(new FieldPlan($"decoder{k + 1}", $"{Monai}.UnetrUpBlock", $"new {Monai}.UnetrUpBlock({d}, {w[k]}, {w[k - 1]}, {blockArgs})"));
            }

            fields.Add(new FieldPlan("out", $"{Monai}.UnetOutBlock", $"new {Monai}.UnetOutBlock({d}, {w[0]}, {spec.OutChannels})"));

            var steps = new List<StepPlan>
            {
                new StepPlan("hidden", "vit.call(input)", null, g.Tokens, n),
                new StepPlan("encoder1Out", "encoder1.call(input)", "encoder1", g.At(w[0], n)),
            };
            for (var k = 1; k < n; k++)
            {
                steps.Add(new StepPlan($"encoder{k + 1}Out", $"encoder{k + 1}.call({Blocks}.Tokens.ToVolume(hidden[{k - 1}], Grid))", $"encoder{k + 1}", g.At(w[k], n - k)));
            }

            steps.Add(new StepPlan("deepest", $"{Blocks}.Tokens.ToVolume(hidden[{n - 1}], Grid)", "deepest", g.At(spec.EmbedDim, 0)));
            var previous = "deepest";
            for (var k = n; k >= 1; k--)
            {
                var name = $"decoder{k + 1}";
                steps.Add(new StepPlan(Local(name), $"{name}.call({previous}, encoder{k}Out)", name, g.At(w[k - 1], n - k + 1)));
                previous = Local(name);
            }

            steps.Add(new StepPlan("outOut", $"@out.call({previous})", "out", g.At(spec.OutChannels, n)));
            return g.Plan(fields, steps);
        }

        private static string Local(string module) => module + "Out";

        private static string IntArray(IEnumerable<int> values) => "new[] { " + string.Join(", ", values) + " }";

        private static string Bool(bool value) => value ? "true" : "false";

        private static string Literal(double value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>Per-sample shapes at each decoder scale: scale 0 is the token grid, scale n full resolution.</summary>
        private sealed class Geometry
        {
            private readonly UnetrSpec spec;

            public Geometry(UnetrSpec spec)
            {
                this.spec = spec;
                Grid = spec.ImageSize.Select(s => (long)(s / spec.PatchSize)).ToEquatableArray();
                Tokens = new[] { spec.Tokens, spec.EmbedDim }.ToEquatableArray();
            }

            public EquatableArray<long> Grid { get; }

            public EquatableArray<long> Tokens { get; }

            public string ImageLiteral => "new long[] { " + string.Join(", ", spec.ImageSize) + " }";

            public EquatableArray<long> At(long channels, int scale) =>
                new[] { channels }.Concat(Grid.Select(g => g << scale)).ToEquatableArray();

            public NetworkPlan Plan(List<FieldPlan> fields, List<StepPlan> steps) => new NetworkPlan(
                At(spec.InChannels, spec.Stages),
                steps[steps.Count - 1].Shape,
                Grid,
                fields.ToEquatableArray(),
                steps.ToEquatableArray(),
                steps[steps.Count - 1].Local);
        }
    }
}
