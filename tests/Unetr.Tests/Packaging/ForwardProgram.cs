using System;
using System.IO;
using System.Linq;
using Xunit;

namespace Unetr.Tests.Packaging;

/// <summary>
/// The Program.cs of a brand-new user project: declares <c>UserNet</c>, prints its declared and built parameter counts
/// and runs one forward pass of a random input.
/// </summary>
internal static class ForwardProgram
{
    /// <summary>Writes Program.cs into <paramref name="directory"/> for a network declared by <paramref name="attributes"/>.</summary>
    public static void Write(string directory, string attributes, long[] input)
    {
        File.WriteAllText(Path.Combine(directory, "Program.cs"), $$"""
            using System;
            using System.Linq;
            using TorchSharp;
            using Unetr.Dsl;

            using var net = new UserNet();
            Console.WriteLine($"params {UserNet.ParameterCount} {net.parameters().Sum(p => p.numel())}");
            net.eval();
            using var noGrad = torch.no_grad();
            using var output = net.call(torch.randn(new long[] { {{string.Join(", ", input)}} }));
            Console.WriteLine($"output [{string.Join(", ", output.shape)}]");

            {{attributes}}
            public partial class UserNet;
            """);
    }

    /// <summary>Checks what the program printed: equal parameter counts, and the expected output shape.</summary>
    public static void AssertRan(string printed, long[] expectedOutput)
    {
        var counts = printed.Split('\n').Single(l => l.StartsWith("params ", StringComparison.Ordinal)).Split(' ');
        Assert.Equal(counts[1], counts[2].Trim());
        Assert.Contains($"output [{string.Join(", ", expectedOutput)}]", printed);
    }
}
