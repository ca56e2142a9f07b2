using System;
using System.IO;
using System.Linq;
using Unetr.Tests.Generator;
using Xunit;
using Xunit.Abstractions;

namespace Unetr.Tests.Packaging;

/// <summary>
/// A user's own project inside the repository (a project reference to Unetr.Model and Unetr.Dsl, the generator as an
/// analyzer, no line about native libraries) builds and runs a forward pass. It runs in a temporary copy of the tree, so
/// it proves what the repository's build files give a new project, not what earlier builds left behind.
/// </summary>
[Collection(DotnetBuildCollection.Name)]
public sealed class InTreeProjectTests(ITestOutputHelper output)
{
    private static readonly string[] RootFiles =
        { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "global.json" };

    [Fact]
    public void A_new_project_in_the_tree_builds_and_runs_a_network_with_the_native_library()
    {
        var copy = Directory.CreateTempSubdirectory("unetr-in-tree-");
        try
        {
            foreach (var file in RootFiles)
            {
                File.Copy(RepositoryFiles.PathOf(file), Path.Combine(copy.FullName, file));
            }

            CopyTree(RepositoryFiles.PathOf("src"), Path.Combine(copy.FullName, "src"));
            CopyTree(RepositoryFiles.PathOf("build"), Path.Combine(copy.FullName, "build"));
            var project = Directory.CreateDirectory(Path.Combine(copy.FullName, "experiments", "Mine")).FullName;
            WriteProject(project);

            var printed = new DotnetProcess(output).Run("run -c Release", project);

            ForwardProgram.AssertRan(printed, new long[] { 1, 2, 16, 16, 16 });
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }

    /// <summary>Copies a source folder without its build outputs (<c>bin</c>, <c>obj</c>).</summary>
    private static void CopyTree(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        foreach (var directory in Directory.EnumerateDirectories(source))
        {
            var name = Path.GetFileName(directory);
            if (name is not ("bin" or "obj"))
            {
                CopyTree(directory, Path.Combine(target, name));
            }
        }
    }

    private static void WriteProject(string directory)
    {
        File.WriteAllText(Path.Combine(directory, "Mine.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <OutputType>Exe</OutputType>
              </PropertyGroup>
              <ItemGroup>
                <ProjectReference Include="..\..\src\Unetr.Dsl\Unetr.Dsl.csproj" />
                <ProjectReference Include="..\..\src\Unetr.Model\Unetr.Model.csproj" />
                <ProjectReference Include="..\..\src\Unetr.Generators\Unetr.Generators.csproj" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
              </ItemGroup>
            </Project>
            """);
        ForwardProgram.Write(
            directory,
            """
            [Unetr(ImageSize = new[] { 16, 16, 16 }, InChannels = 1, OutChannels = 2)]
            [PatchEmbedding(PatchSize = 8)]
            [Encoder(EmbedDim = 32, Depth = 3, Heads = 4)]
            [Decoder(Widths = new[] { 4, 8, 16 })]
            """,
            new long[] { 1, 1, 16, 16, 16 });
    }
}
