using Unetr.Dsl;

namespace MyUnetrTool;

/// <summary>
/// The tiny preset's 32³ volumes cut into 8³ patches: 64 tokens instead of 8, and three skip levels. Its sweep adds the
/// variants <c>ablate</c> compares with it: <c>SmallPatchUnetr.ResidualFalse</c> (plain decoder blocks) and
/// <c>SmallPatchUnetr.Depth6</c> (twice the transformer layers).
/// </summary>
[Unetr(ImageSize = new[] { 32, 32, 32 }, InChannels = 1, OutChannels = 3)]
[PatchEmbedding(PatchSize = 8)]
[Encoder(EmbedDim = 24, Depth = 3, Heads = 3, MlpDim = 48)]
[Decoder(Widths = new[] { 4, 8, 16 }, Norm = NormKind.Instance, Residual = true)]
[Sweep(nameof(DecoderAttribute.Residual), false)]
[Sweep(nameof(EncoderAttribute.Depth), 6)]
public partial class SmallPatchUnetr;

/// <summary>A 2D network for 64 × 48 slices with three channels.</summary>
[Unetr(ImageSize = new[] { 64, 48 }, InChannels = 3, OutChannels = 2)]
[PatchEmbedding(PatchSize = 16)]
[Encoder(EmbedDim = 32, Depth = 4, Heads = 4, MlpDim = 64)]
[Decoder(Widths = new[] { 4, 8, 16, 32 })]
public partial class SliceUnetr;
