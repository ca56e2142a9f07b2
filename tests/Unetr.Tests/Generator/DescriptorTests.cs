using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Unetr.Generators.Describe;
using Unetr.Tests.Reference;
using Unetr.Tests.Shapes;
using Xunit;

namespace Unetr.Tests.Generator;

/// <summary>
/// The descriptor tree against the state dicts the PyTorch implementations saved: its node names are the state_dict
/// prefixes and its parameter counts add up to what PyTorch counted.
/// </summary>
public sealed class DescriptorTests
{
    [Theory]
    [InlineData("seed")]
    [InlineData("monai")]
    public void Tiny_network_parts_own_exactly_the_trainable_state_dict_keys(string layout)
    {
        var network = NetworkDescriber.Describe(CostSpecs.Tiny(layout).Spec);
        var keys = TrainableKeys(layout + "_tiny.weights.pt");
        var parts = network.Modules.SelectMany(m => m.Parts.Select(p => (Path: m.Name + "." + p.Name, p.Cost.Parameters))).ToList();

        Assert.Equal(
            keys.Keys.Select(k => k.Split('.')[0]).Distinct().OrderBy(n => n, StringComparer.Ordinal),
            network.Modules.Select(m => m.Name).OrderBy(n => n, StringComparer.Ordinal));
        foreach (var key in keys.Keys)
        {
            Assert.True(parts.Count(p => key.StartsWith(p.Path + ".", StringComparison.Ordinal)) == 1, $"{key} is not under exactly one part");
        }

        foreach (var (path, parameters) in parts)
        {
            var owned = keys.Where(k => k.Key.StartsWith(path + ".", StringComparison.Ordinal)).Sum(k => k.Value);
            Assert.True(owned == parameters, $"{path}: the state dict has {owned}, the descriptor {parameters}");
        }
    }

    [Theory]
    [InlineData("seed")]
    [InlineData("monai")]
    public void Tiny_network_node_parameters_add_up_to_the_count_PyTorch_reported(string layout)
    {
        var network = NetworkDescriber.Describe(CostSpecs.Tiny(layout).Spec);
        using var json = JsonDocument.Parse(File.ReadAllText(ReferenceData.PathOf(layout + "_tiny.json")));
        var reported = json.RootElement.GetProperty("params_without_cross_attention").GetInt64();

        Assert.Equal(reported, network.Modules.Sum(m => m.Parts.Sum(p => p.Cost.Parameters)));
        Assert.Equal(reported, network.Total.Parameters);
    }

    [Fact]
    public void Seed_children_are_built_in_the_order_of_the_seed_init_and_the_forward_returns_logits()
    {
        var network = NetworkDescriber.Describe(CostSpecs.Seed128);

        Assert.Equal(
            new[]
            {
                "transformer", "decoder0", "decoder3", "decoder6", "decoder9", "decoder12_upsampler", "decoder9_upsampler",
                "decoder6_upsampler", "decoder3_upsampler", "decoder0_header",
            },
            network.Modules.Select(m => m.Name));
        var last = network.Steps[network.Steps.Count - 1];
        Assert.Equal(("logits", "decoder0_header"), (last.Local, last.Module));
        Assert.Equal(new long[] { 3, 128, 128, 128 }, network.OutputShape.ToArray());
    }

    [Theory]
    [InlineData("seed")]
    [InlineData("monai")]
    public void Every_constructed_block_has_a_public_constructor_with_those_parameter_names_in_that_order(string layout)
    {
        var network = NetworkDescriber.Describe(CostSpecs.Tiny(layout).Spec);
        var blocks = network.Modules.Concat(network.Modules.SelectMany(m => m.Parts)).Where(n => n.Block is { IsSequential: false }).ToList();
        var assembly = typeof(Unetr.Model.Compiled.InputGuard).Assembly;

        Assert.NotEmpty(blocks);
        foreach (var node in blocks)
        {
            var type = assembly.GetType($"Unetr.Model.Blocks.{node.Block!.Family}.{node.Block.Name}", throwOnError: true)!;
            var names = node.Arguments.Select(a => a.Name).ToList();
            Assert.True(
                type.GetConstructors().Any(c => c.GetParameters().Select(p => p.Name).Take(names.Count).SequenceEqual(names)),
                $"{node.Name}: no constructor of {type.Name} starts with ({string.Join(", ", names)})");
        }
    }

    /// <summary>Element counts by key, without BatchNorm buffers and MONAI's never-called cross_attn weights.</summary>
    private static Dictionary<string, long> TrainableKeys(string fileName)
    {
        var tensors = ReferenceData.StateDictSlice(fileName, string.Empty);
        try
        {
            return tensors
                .Where(k => !k.Key.EndsWith(".running_mean", StringComparison.Ordinal)
                    && !k.Key.EndsWith(".running_var", StringComparison.Ordinal)
                    && !k.Key.EndsWith(".num_batches_tracked", StringComparison.Ordinal)
                    && !k.Key.Contains("cross_attn", StringComparison.Ordinal))
                .ToDictionary(k => k.Key, k => k.Value.numel());
        }
        finally
        {
            foreach (var tensor in tensors.Values)
            {
                tensor.Dispose();
            }
        }
    }
}
