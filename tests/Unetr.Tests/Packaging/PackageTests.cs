using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Unetr.Tests.Generator;
using Xunit;
using Xunit.Abstractions;

namespace Unetr.Tests.Packaging;

/// <summary>
/// `dotnet pack` produces one Unetr package from which a brand-new project declares a network, builds and runs a
/// forward pass, as a user would. Slow (a pack, a restore and a build), so it is a single test.
/// </summary>
[Collection(DotnetBuildCollection.Name)]
public sealed class PackageTests(ITestOutputHelper output)
{
    private readonly DotnetProcess _dotnet = new(output);

    [Fact]
    public void A_new_project_declares_builds_and_runs_a_network_from_the_package_alone()
    {
        // A version of its own per run, removed from the package cache afterwards, so a stale copy is never used.
        var version = "0.0.0-test" + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", System.Globalization.CultureInfo.InvariantCulture);
        var work = Directory.CreateTempSubdirectory("unetr-package-");
        try
        {
            var feed = work.CreateSubdirectory("feed").FullName;
            _dotnet.Run($"pack \"{RepositoryFiles.PathOf("src", "Unetr.Model", "Unetr.Model.csproj")}\" -c Release -o \"{feed}\" -p:Version={version}", work.FullName);

            var package = Path.Combine(feed, $"Unetr.{version}.nupkg");
            using (var zip = ZipFile.OpenRead(package))
            {
                var entries = zip.Entries.Select(e => e.FullName).ToList();
                Assert.Contains("analyzers/dotnet/cs/Unetr.Generators.dll", entries);
                Assert.Contains("analyzers/dotnet/cs/Unetr.CodeFixes.dll", entries);
                Assert.Contains("lib/net10.0/Unetr.Model.dll", entries);
                Assert.Contains("lib/net10.0/Unetr.Dsl.dll", entries);
                Assert.Contains("buildTransitive/Unetr.targets", entries);
            }

            var consumer = work.CreateSubdirectory("consumer").FullName;
            WriteConsumer(consumer, feed, version);
            var printed = _dotnet.Run("run -c Release", consumer);

            ForwardProgram.AssertRan(printed, new long[] { 2, 2, 32, 32 });
        }
        finally
        {
            work.Delete(recursive: true);
            var cached = Path.Combine(PackageCache(), "unetr", version);
            if (Directory.Exists(cached))
            {
                Directory.Delete(cached, recursive: true);
            }
        }
    }

    private static void WriteConsumer(string directory, string feed, string version)
    {
        File.WriteAllText(Path.Combine(directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="unetr-local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(directory, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <OutputType>Exe</OutputType>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Unetr" Version="{version}" />
              </ItemGroup>
            </Project>
            """);
        ForwardProgram.Write(
            directory,
            """
            [Unetr(ImageSize = new[] { 32, 32 }, InChannels = 1, OutChannels = 2)]
            [PatchEmbedding(PatchSize = 8)]
            [Encoder(EmbedDim = 32, Depth = 3, Heads = 4)]
            [Decoder(Widths = new[] { 4, 8, 16 })]
            """,
            new long[] { 2, 1, 32, 32 });
    }

    private static string PackageCache() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES")
        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
}
