using System.Collections.Generic;

namespace Unetr.Measurement.Speed;

/// <summary>
/// The architecture numbers <c>bench/pytorch/unetr_torch.py</c> needs to build the same network in PyTorch. They
/// repeat the attribute arguments of <see cref="Networks.SeedUnetr64"/>, <see cref="Networks.SeedBench64"/> and <see cref="Networks.MonaiBench96"/>; the
/// script loads the TorchSharp weights with <c>strict=True</c> and compares outputs, so a mismatch fails loudly.
/// </summary>
/// <param name="Layout"><c>seed</c> or <c>monai</c>.</param>
/// <param name="ImageSize">Spatial input size.</param>
/// <param name="InChannels">Input channels.</param>
/// <param name="OutChannels">Classes.</param>
/// <param name="PatchSize">Patch edge.</param>
/// <param name="Projection"><c>conv</c> or <c>perceptron</c>.</param>
/// <param name="EmbedDim">Transformer width.</param>
/// <param name="Depth">Transformer blocks.</param>
/// <param name="Heads">Attention heads.</param>
/// <param name="MlpDim">MLP hidden width.</param>
/// <param name="ExtractLayers">1-based blocks feeding the decoder.</param>
/// <param name="FinalNorm">Whether the deepest feature is normalised.</param>
/// <param name="QkvBias">MONAI's fused qkv bias.</param>
/// <param name="Widths">Decoder widths, full resolution first.</param>
/// <param name="StemWidth">Seed stem width (0 for MONAI).</param>
public sealed record PyTorchCase(
    string Layout,
    IReadOnlyList<long> ImageSize,
    long InChannels,
    long OutChannels,
    long PatchSize,
    string Projection,
    long EmbedDim,
    int Depth,
    long Heads,
    long MlpDim,
    IReadOnlyList<int> ExtractLayers,
    bool FinalNorm,
    bool QkvBias,
    IReadOnlyList<long> Widths,
    long StemWidth)
{
    /// <summary><see cref="Networks.SeedUnetr64"/>: the seed network at full width, at 64³.</summary>
    public static PyTorchCase SeedFull { get; } = new(
        "seed", new long[] { 64, 64, 64 }, 4, 3, 16, "conv", 768, 12, 12, 2048, new[] { 3, 6, 9, 12 }, FinalNorm: false, QkvBias: true,
        new long[] { 64, 128, 256, 512 }, 32);

    /// <summary><see cref="Networks.SeedBench64"/>: the seed layout narrowed to 192 wide, widths 16–128.</summary>
    public static PyTorchCase Seed { get; } = new(
        "seed", new long[] { 64, 64, 64 }, 4, 3, 16, "conv", 192, 12, 6, 512, new[] { 3, 6, 9, 12 }, FinalNorm: false, QkvBias: true,
        new long[] { 16, 32, 64, 128 }, 8);

    /// <summary><see cref="Networks.MonaiBench96"/> and the <c>MonaiBtcvUnetr</c> preset (the same numbers).</summary>
    public static PyTorchCase Monai { get; } = new(
        "monai", new long[] { 96, 96, 96 }, 1, 14, 16, "perceptron", 768, 12, 12, 3072, new[] { 4, 7, 10, 12 }, FinalNorm: true, QkvBias: false,
        new long[] { 16, 32, 64, 128 }, 0);
}
