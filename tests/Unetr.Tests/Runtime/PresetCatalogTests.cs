using System.Linq;
using Unetr.Model.Presets;
using Unetr.Tests.Runtime.Variants;
using Xunit;

namespace Unetr.Tests.Runtime;

/// <summary>The build-time catalogs: Unetr.Model's presets, and this test assembly's own declarations found through its assembly attribute.</summary>
public sealed class PresetCatalogTests
{
    [Fact]
    public void The_presets_are_Unetr_Models_declarations_in_declaration_order()
    {
        Assert.Equal(new[] { "SeedUnetr", "MonaiBtcvUnetr", "TinyMonaiUnetr" }, PresetCatalog.All.Select(p => p.Name));
        Assert.Same(PresetCatalog.All, NetworkCatalogAttribute.In(typeof(SeedUnetr).Assembly));
        Assert.Equal("Unetr.Model.Presets.TinyMonaiUnetr", PresetCatalog.Find("tinymonaiunetr").FullName);
    }

    [Fact]
    public void An_assembly_attribute_lists_the_networks_declared_in_it()
    {
        var declared = NetworkCatalogAttribute.In(typeof(PresetCatalogTests).Assembly);

        Assert.Contains(declared, p => p.Name == "TrainableTinyNet" && p.FullName == "Unetr.Tests.Training.TrainableTinyNet");
        Assert.Contains(declared, p => p.Name == "NestedDefaults" && p.FullName == "Unetr.Tests.Runtime.Variants.Outer+NestedDefaults");
        Assert.DoesNotContain(declared, p => p.Name == "TinyMonaiUnetr");
        var seed2D = declared.Single(p => p.Name == "Seed2D");
        Assert.Equal(new long[] { 1, 32, 64 }, seed2D.Summary.InputShape);
        using var network = seed2D.Create();
        Assert.IsType<Seed2D>(network);
    }

    [Fact]
    public void An_assembly_without_declarations_has_no_networks() =>
        Assert.Empty(NetworkCatalogAttribute.In(typeof(Xunit.Assert).Assembly));
}
