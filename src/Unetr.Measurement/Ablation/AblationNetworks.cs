using Unetr.Dsl;

// The ablation grid: a baseline and variants that each change one factor of it. Every network takes the embedded
// synthetic dataset's 32³ single-channel volumes and predicts its 3 classes, so that all of them train on the same data
// and are scored on the same held-out volumes. 32³ keeps a training step of the baseline near a tenth of a second on two
// cores; the price is a short token sequence (8 tokens at patch 16, 1 at patch 32).
//
// What the baseline fixes and the variants keep unless they are about it: MONAI layout, conv patch projection, 6 heads,
// MLP width 4 × the embedding, the layout's default extract layers (spread evenly over the depth), decoder widths
// 8, 16, 32, 64 for the four stages of patch 16, instance norm, residual blocks.
//
// The variants are one [Sweep] declaration, expanded by the generator into classes nested in the baseline
// (AblationBaseline.PatchSize8, …), each proved at build time like any declaration. Norm and residual blocks are left to
// the layout's defaults (MONAI: instance norm, residual blocks) so that the seed-layout variant gets the seed's own
// choices; a patch size other than 16 changes the number of decoder stages, so its [Sweep] brings the widths with it.
namespace Unetr.Measurement.Ablation;

/// <summary>
/// The reference point: MONAI layout at 32³, patch 16, embedding 384, depth 6, decoder widths 8 to 64, instance norm,
/// residual blocks; and the nine variants that each change one factor of it.
/// </summary>
[Unetr(Layout = UnetrLayout.Monai, ImageSize = new[] { 32, 32, 32 }, InChannels = 1, OutChannels = 3)]
[PatchEmbedding(PatchSize = 16, Projection = PatchProjection.Conv)]
[Encoder(EmbedDim = 384, Depth = 6, Heads = 6, MlpDim = 1536)]
[Decoder(Widths = new[] { 8, 16, 32, 64 })]
// Patch 8: 64 tokens instead of 8, and three decoder stages (the baseline's first three widths).
[Sweep(nameof(PatchEmbeddingAttribute.PatchSize), 8, With = new object[] { nameof(DecoderAttribute.Widths), new[] { 8, 16, 32 } })]
// Patch 32: a single token covers the whole volume, and five decoder stages (the baseline's widths and 128).
[Sweep(nameof(PatchEmbeddingAttribute.PatchSize), 32, With = new object[] { nameof(DecoderAttribute.Widths), new[] { 8, 16, 32, 64, 128 } })]
// Depth 12: the decoder reads blocks 4, 7, 10 and 12 instead of 2, 4, 5 and 6.
[Sweep(nameof(EncoderAttribute.Depth), 12)]
// Embedding 768 with the MLP kept at 4 × the embedding and the head count kept at 6.
[Sweep(nameof(EncoderAttribute.EmbedDim), 768, With = new object[] { nameof(EncoderAttribute.MlpDim), 3072 })]
// Decoder widths halved and doubled (the BTCV configuration's).
[Sweep(nameof(DecoderAttribute.Widths), new[] { 4, 8, 16, 32 }, new[] { 16, 32, 64, 128 })]
// Batch norm (affine, running statistics) instead of instance norm; plain convolution blocks instead of residual ones.
[Sweep(nameof(DecoderAttribute.Norm), NormKind.Batch)]
[Sweep(nameof(DecoderAttribute.Residual), false)]
// The seed layout with the baseline's numbers, and its own fixed choices: ReLU in the MLP, biases on the query, key and
// value projections, no final norm, a stem convolution (width 4), batch norm and plain blocks.
[Sweep(nameof(UnetrAttribute.Layout), UnetrLayout.Seed)]
public partial class AblationBaseline;
