using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Unetr.Tests.Generator;

/// <summary>The C# shown in README.md compiles as shown, with the generator, without errors or warnings.</summary>
public sealed partial class ReadmeExampleTests
{
    [Fact]
    public void Readme_declarations_generate_code_that_compiles_cleanly()
    {
        var declarations = CSharpBlocks().Where(b => b.Contains("[Unetr(", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(declarations);

        foreach (var block in declarations)
        {
            var run = GeneratorHarness.Run(block);

            Assert.True(run.GeneratorDiagnostics.IsEmpty, GeneratorHarness.Format(run.GeneratorDiagnostics));
            Assert.True(run.CompilationProblems.Count == 0, GeneratorHarness.Format(run.CompilationProblems));
            // One source per declared network, one per sweep variant, and the assembly's catalog.
            var variants = run.Sources.Count(s => s.SourceText.ToString().Contains("/// <summary>Sweep variant of", StringComparison.Ordinal));
            Assert.Equal(Regex.Matches(block, @"\[Unetr\(").Count + 1, run.Sources.Length - variants);
        }
    }

    [Fact]
    public void Readme_sweep_example_is_the_ablation_grid_as_declared()
    {
        static IEnumerable<string> Attributes(string source) => source.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith('[') || l.StartsWith("public partial class", StringComparison.Ordinal));
        var example = CSharpBlocks().Single(b => b.Contains("public partial class AblationBaseline", StringComparison.Ordinal));
        var grid = RepositoryFiles.ReadAllText("src", "Unetr.Measurement", "Ablation", "AblationNetworks.cs");

        Assert.Equal(Attributes(grid), Attributes(example));
        Assert.Equal(8, Attributes(example).Count(l => l.StartsWith("[Sweep(", StringComparison.Ordinal)));
    }

    [Fact]
    public void Readme_loop_example_is_the_samples_baseline_as_declared()
    {
        const string Class = "public partial class SmallPatchUnetr;";
        static IEnumerable<string> Attributes(IEnumerable<string> lines) => lines.Select(l => l.Trim()).Where(l => l.StartsWith('[') || l.StartsWith("public partial class", StringComparison.Ordinal));
        var example = CSharpBlocks().Single(b => b.Contains(Class, StringComparison.Ordinal)).Split('\n');
        var sample = RepositoryFiles.ReadAllText("samples", "MyUnetrTool", "Networks.cs").Split('\n').Select(l => l.Trim()).ToList();

        // The sample's declaration: the attribute lines right above the class line, and the class line.
        var end = sample.IndexOf(Class);
        Assert.True(end > 0, $"samples/MyUnetrTool/Networks.cs has no line '{Class}'");
        var start = end;
        while (start > 0 && sample[start - 1].StartsWith('['))
        {
            start--;
        }

        Assert.Equal(sample.Skip(start).Take(end - start + 1), Attributes(example));
        Assert.Equal(2, Attributes(example).Count(l => l.StartsWith("[Sweep(", StringComparison.Ordinal)));
    }

    [Fact]
    public void Readme_usage_examples_compile_against_the_presets()
    {
        var programs = CSharpBlocks().Where(b => !b.Contains("[Unetr(", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(programs);

        foreach (var program in programs)
        {
            var compilation = GeneratorHarness.Compile(OutputKind.ConsoleApplication, program);

            var problems = compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
            Assert.True(problems.Count == 0, GeneratorHarness.Format(problems));
        }
    }

    private static IEnumerable<string> CSharpBlocks()
    {
        var readme = RepositoryFiles.ReadAllText("README.md");
        return CSharpBlock().Matches(readme).Select(m => m.Groups["code"].Value);
    }

    [GeneratedRegex("```csharp\\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
