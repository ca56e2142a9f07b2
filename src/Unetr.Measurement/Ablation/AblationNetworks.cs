using Unetr.Dsl;

// The ablation grid: a baseline and variants that each change one factor of it. Every network takes the embedded
// synthetic dataset's 32³ single-channel volumes and predicts its 3 classes, so that all of them train on the same data
// and are scored on the same held-out volumes. 32³ keeps a training step of the baseline near a tenth of a second on two
// cores; the price is a short token sequence (8 tokens at patch 16, 1 at patch 32).
//
// What the baseline fixes and the variants keep unless they are about it: MONAI layout, conv patch projection, 6 heads,
// MLP width 4 × the embedding, the layout's default extract layers (spread evenly over the depth), decoder widths
// 8, 16, 32, 64 for the four stages of patch 16, instance norm, residual blocks.
namespace Unetr.Measurement.Ablation;

/// <summary>The reference point: MONAI layout at 32³, patch 16, embedding 384, depth 6, decoder widths 8 to 64, instance norm, residual blocks.</summary>
[Unetr(Layout = UnetrLayout.Monai, ImageSize = new[] { 32, 32, 32 }, InChannels = 1, OutChannels = 3)]
[PatchEmbedding(PatchSize = 16, Projection = PatchProjection.Conv)]
[Encoder(EmbedDim = 384, Depth = 6, Heads = 6, MlpDim = 1536)]
[Decoder(Widths = new[] { 8, 16, 32, 64 }, Norm = NormKind.Instance, Residual = true)]
public partial class AblationBaseline;

/// <summary>Patch 8: 64 tokens instead of 8, and a decoder of three stages (the baseline's first three widths).</summary>
[Unetr(Layout = UnetrLayout.Monai, ImageSize = new[] { 32, 32, 32 }, InChannels = 1, OutChannels = 3)]
[PatchEmbedding(PatchSize = 8, Projection = PatchProjection.Conv)]
[Encoder(EmbedDim = 384, Depth = 6, Heads = 6, MlpDim = 1536)]
[Decoder(Widths = new[] { 8, 16, 32 }, Norm = NormKind.Instance, Residual = true)]
public partial class AblationPatch8;

/// <summary>Patch 32: a single token covers the whole 32³ volume, and the decoder has five stages (the baseline's widths and 128).</summary>
[Unetr(Layout = UnetrLayout.Monai, ImageSize = new[] { 32, 32, 32 }, InChannels = 1, OutChannels = 3)]
[PatchEmbedding(PatchSize = 32, Projection = PatchProjection.Conv)]
[Encoder(EmbedDim = 384, Depth = 6, Heads = 6, MlpDim = 1536)]
[Decoder(Widths = new[] { 8, 16, 32, 64, 128 }, Norm = NormKind.Instance, Residual = true)]
public partial class AblationPatch32;

/// <summary>Depth 12 instead of 6 (the decoder reads blocks 4, 7, 10 and 12 instead of 2, 4, 5 and 6).</summary>
[Unetr(Layout = UnetrLayout.Monai, ImageSize = new[] { 32, 32, 32 }, InChannels = 1, OutChannels = 3)]
[PatchEmbedding(PatchSize = 16, Projection = PatchProjection.Conv)]
[Encoder(EmbedDim = 384, Depth = 12, Heads = 6, MlpDim = 1536)]
[Decoder(Widths = new[] { 8, 16, 32, 64 }, Norm = NormKind.Instance, Residual = true)]
public partial class AblationDepth12;

/// <summary>Embedding 768 instead of 384, with the MLP kept at 4 × the embedding (3072) and the head count kept at 6.</summary>
[Unetr(Layout = UnetrLayout.Monai, ImageSize = new[] { 32, 32, 32 }, InChannels = 1, OutChannels = 3)]
[PatchEmbedding(PatchSize = 16, Projection = PatchProjection.Conv)]
[Encoder(EmbedDim = 768, Depth = 6, Heads = 6, MlpDim = 3072)]
[Decoder(Widths = new[] { 8, 16, 32, 64 }, Norm = NormKind.Instance, Residual = true)]
public partial class AblationEmbed768;

/// <summary>Decoder widths halved: 4, 8, 16, 32.</summary>
[Unetr(Layout = UnetrLayout.Monai, ImageSize = new[] { 32, 32, 32 }, InChannels = 1, OutChannels = 3)]
[PatchEmbedding(PatchSize = 16, Projection = PatchProjection.Conv)]
[Encoder(EmbedDim = 384, Depth = 6, Heads = 6, MlpDim = 1536)]
[Decoder(Widths = new[] { 4, 8, 16, 32 }, Norm = NormKind.Instance, Residual = true)]
public partial class AblationWidthsHalved;

/// <summary>Decoder widths doubled: 16, 32, 64, 128 (the BTCV configuration's).</summary>
[Unetr(Layout = UnetrLayout.Monai, ImageSize = new[] { 32, 32, 32 }, InChannels = 1, OutChannels = 3)]
[PatchEmbedding(PatchSize = 16, Projection = PatchProjection.Conv)]
[Encoder(EmbedDim = 384, Depth = 6, Heads = 6, MlpDim = 1536)]
[Decoder(Widths = new[] { 16, 32, 64, 128 }, Norm = NormKind.Instance, Residual = true)]
public partial class AblationWidthsDoubled;

/// <summary>Batch norm (affine, running statistics) in the decoder instead of instance norm.</summary>
[Unetr(Layout = UnetrLayout.Monai, ImageSize = new[] { 32, 32, 32 }, InChannels = 1, OutChannels = 3)]
[PatchEmbedding(PatchSize = 16, Projection = PatchProjection.Conv)]
[Encoder(EmbedDim = 384, Depth = 6, Heads = 6, MlpDim = 1536)]
[Decoder(Widths = new[] { 8, 16, 32, 64 }, Norm = NormKind.Batch, Residual = true)]
public partial class AblationBatchNorm;

/// <summary>Plain convolution blocks in the decoder instead of residual ones.</summary>
[Unetr(Layout = UnetrLayout.Monai, ImageSize = new[] { 32, 32, 32 }, InChannels = 1, OutChannels = 3)]
[PatchEmbedding(PatchSize = 16, Projection = PatchProjection.Conv)]
[Encoder(EmbedDim = 384, Depth = 6, Heads = 6, MlpDim = 1536)]
[Decoder(Widths = new[] { 8, 16, 32, 64 }, Norm = NormKind.Instance, Residual = false)]
public partial class AblationPlainBlocks;

/// <summary>
/// The seed layout with the baseline's numbers. The layout brings its own fixed choices: ReLU in the MLP, biases on
/// the query, key and value projections, no final norm, a stem convolution (width 4), batch norm and plain blocks.
/// </summary>
[Unetr(Layout = UnetrLayout.Seed, ImageSize = new[] { 32, 32, 32 }, InChannels = 1, OutChannels = 3)]
[PatchEmbedding(PatchSize = 16, Projection = PatchProjection.Conv)]
[Encoder(EmbedDim = 384, Depth = 6, Heads = 6, MlpDim = 1536)]
[Decoder(Widths = new[] { 8, 16, 32, 64 })]
public partial class AblationSeedLayout;
