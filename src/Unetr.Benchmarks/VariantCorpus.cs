using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace Unetr.Benchmarks;

/// <summary>
/// Valid UNETR declarations that differ in layout, rank, image size, patch size, encoder size and decoder options,
/// one per source file, as a project with many declared networks would have them.
/// </summary>
public static class VariantCorpus
{
    private static readonly int[] PatchSizes = { 4, 8, 16, 32 };
    private static readonly (int EmbedDim, int Heads)[] Encoders = { (16, 2), (32, 4), (48, 3), (64, 8), (96, 6) };
    private static readonly int[] Depths = { 6, 8, 12 };

    /// <summary>The source of <paramref name="count"/> declarations, named <c>Variant0</c>, <c>Variant1</c>, …</summary>
    public static IReadOnlyList<string> Declarations(int count) =>
        Enumerable.Range(0, count).Select(Declaration).ToList();

    private static string Declaration(int index)
    {
        var seed = index % 2 == 1;
        var patch = PatchSizes[index % PatchSizes.Length];
        var twoD = index % 3 == 0;
        var multiple = 2 + index % 3;
        var imageSize = twoD
            ? $"{patch * multiple}, {patch * (multiple + 1)}"
            : $"{patch * multiple}, {patch * 2}, {patch * (multiple + 1)}";
        var (embedDim, heads) = Encoders[index % Encoders.Length];
        var depth = Depths[index % Depths.Length];
        var stages = 0;
        for (var p = patch; p > 1; p >>= 1)
        {
            stages++;
        }

        var widths = string.Join(", ", Enumerable.Range(0, stages).Select(k => (4 << k).ToString(CultureInfo.InvariantCulture)));

        // The seed layout only has conv patch embeddings and plain batch-norm decoder blocks; MONAI varies both.
        var layout = seed ? "UnetrLayout.Seed" : "UnetrLayout.Monai";
        var projection = !seed && index % 4 == 2 ? "PatchProjection.Perceptron" : "PatchProjection.Conv";
        var decoderOptions = seed ? string.Empty : index % 4 == 0 ? ", Norm = NormKind.Batch, Residual = false" : ", Norm = NormKind.Instance";

        return new StringBuilder()
            .Append("using Unetr.Dsl;\n\nnamespace Corpus;\n\n")
            .Append(CultureInfo.InvariantCulture, $"[Unetr(Layout = {layout}, ImageSize = new[] {{ {imageSize} }}, InChannels = {1 + index % 4}, OutChannels = {2 + index % 5})]\n")
            .Append(CultureInfo.InvariantCulture, $"[PatchEmbedding(PatchSize = {patch}, Projection = {projection})]\n")
            .Append(CultureInfo.InvariantCulture, $"[Encoder(EmbedDim = {embedDim}, Depth = {depth}, Heads = {heads}, MlpDim = {2 * embedDim})]\n")
            .Append(CultureInfo.InvariantCulture, $"[Decoder(Widths = new[] {{ {widths} }}{decoderOptions})]\n")
            .Append(CultureInfo.InvariantCulture, $"public partial class Variant{index};\n")
            .ToString();
    }
}
