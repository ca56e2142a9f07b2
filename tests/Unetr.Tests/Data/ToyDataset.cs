using System.IO;
using System.Linq;

namespace Unetr.Tests.Data;

/// <summary>A dataset.json with a few small labelled volumes: a ball (class 1) and a slab (class 2) over background.</summary>
internal static class ToyDataset
{
    public static readonly string[] ClassNames = { "background", "ball", "slab" };

    /// <summary>
    /// Writes <paramref name="count"/> volumes of 20 × 18 × 14 voxels of 1.5 × 1.5 × 2 mm under <paramref name="folder"/>
    /// (imagesTr/, labelsTr/) and a dataset.json without a validation list named "Toy"; returns the json's path.
    /// </summary>
    public static string Write(string folder, int count)
    {
        static int Label(long x, long y, long z) =>
            (x - 8) * (x - 8) + (y - 9) * (y - 9) + (z - 7) * (z - 7) <= 16 ? 1 : x >= 15 && y < 6 ? 2 : 0;

        var spacing = new[] { 1.5, 1.5, 2.0 };
        var entries = Enumerable.Range(0, count).Select(i =>
        {
            NiftiVolumes.Write(Path.Combine(folder, $"imagesTr/case{i}.nii.gz"), 20, 18, 14, (_, x, y, z) => 100 * Label(x, y, z) + 7 * i + x, spacing: spacing);
            NiftiVolumes.WriteLabel(Path.Combine(folder, $"labelsTr/case{i}.nii.gz"), 20, 18, 14, Label, spacing: spacing);
            return $$"""{ "image": "./imagesTr/case{{i}}.nii.gz", "label": "./labelsTr/case{{i}}.nii.gz" }""";
        });
        return NiftiVolumes.WriteText(Path.Combine(folder, "dataset.json"), $$"""
            { "name": "Toy", "labels": { "0": "background", "1": "ball", "2": "slab" }, "training": [ {{string.Join(", ", entries)}} ] }
            """);
    }
}
