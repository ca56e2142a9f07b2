using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using TorchSharp;
using Unetr.Model.Compiled;
using Unetr.Tests.Generator;
using static TorchSharp.torch;

namespace Unetr.Tests.Fuzzing;

/// <summary>
/// Compiles fuzzed networks to an in-memory assembly, loads it in a collectible context and runs each forward once:
/// every stage's runtime shape must be the shape the generator proved. Unetr.Model and TorchSharp come from the default
/// context (the collectible one resolves nothing itself), so the loaded classes share their types with this test.
/// </summary>
internal static class ForwardCheck
{
    /// <summary>Returns one problem per network whose observed shapes differ from its compile-time shapes.</summary>
    public static List<string> Run(IReadOnlyList<CompiledCase> networks)
    {
        var trees = networks.SelectMany(n => n.GeneratedTrees.Prepend(n.UserTree));
        var compilation = GeneratorHarness.CompileFiles(Array.Empty<(string, string)>())
            .WithAssemblyName("UnetrFuzzForward")
            .AddSyntaxTrees(trees);
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        if (!emitted.Success)
        {
            return new List<string> { "the sampled networks do not emit:\n" + string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)) };
        }

        image.Position = 0;
        var context = new AssemblyLoadContext("unetr-fuzz-forward", isCollectible: true);
        try
        {
            var assembly = context.LoadFromStream(image);
            var problems = new List<string>();
            foreach (var network in networks)
            {
                var problem = Observe(assembly, network.Case);
                if (problem is not null)
                {
                    problems.Add($"case {network.Case.Index}: {problem}\n{network.Case.Source}");
                }
            }

            return problems;
        }
        finally
        {
            context.Unload();
        }
    }

    /// <summary>The declared network, then every sweep variant nested in it.</summary>
    private static string? Observe(Assembly assembly, FuzzCase fuzzCase)
    {
        var type = assembly.GetTypes().Single(t =>
            t.Name == fuzzCase.ClassName && t.FullName!.Split('.', '+').Contains(fuzzCase.Token, StringComparer.Ordinal));
        var variants = type.GetNestedTypes().Where(typeof(ICompiledNetwork).IsAssignableFrom);
        return new[] { type }.Concat(variants).Select(Observe).FirstOrDefault(problem => problem is not null);
    }

    private static string? Observe(Type type)
    {
        var inputShape = Static<IReadOnlyList<long>>(type, nameof(ICompiledNetwork.InputShape));
        var outputShape = Static<IReadOnlyList<long>>(type, nameof(ICompiledNetwork.OutputShape));
        var stages = Static<IReadOnlyList<StageShape>>(type, nameof(ICompiledNetwork.Stages));

        const long batch = 2;
        using var network = (nn.Module<Tensor, Tensor>)Activator.CreateInstance(type)!;
        network.eval();
        var actual = new List<string>();
        ((ICompiledNetwork)network).StageObserver = (name, value) => actual.Add($"{name} [{string.Join(", ", value.shape)}]");
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var output = network.call(randn(inputShape.Prepend(batch).ToArray()));
        actual.Add($"output [{string.Join(", ", output.shape)}]");

        var expected = stages.Select(s => $"{s.Name} [{string.Join(", ", s.Shape.Prepend(batch))}]").ToList();
        expected.Add($"output [{string.Join(", ", outputShape.Prepend(batch))}]");
        return expected.SequenceEqual(actual)
            ? null
            : $"{type.Name}: stage shapes differ\nexpected: {string.Join("; ", expected)}\nobserved: {string.Join("; ", actual)}";
    }

    private static T Static<T>(Type type, string property) =>
        (T)type.GetProperty(property, BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
}
