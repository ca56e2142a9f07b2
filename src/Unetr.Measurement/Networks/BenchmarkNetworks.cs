using Unetr.Dsl;

namespace Unetr.Measurement.Networks;

/// <summary>
/// The seed layout at 64³ (4 → 3 channels) with the encoder (192 wide, 6 heads) and the decoder narrowed so that a forward pass takes well
/// under a second on two cores; every block of the seed network is still there.
/// </summary>
[Unetr(Layout = UnetrLayout.Seed, ImageSize = new[] { 64, 64, 64 }, InChannels = 4, OutChannels = 3)]
[PatchEmbedding(PatchSize = 16, Projection = PatchProjection.Conv)]
[Encoder(EmbedDim = 192, Depth = 12, Heads = 6, MlpDim = 512, ExtractLayers = new[] { 3, 6, 9, 12 })]
[Decoder(Widths = new[] { 16, 32, 64, 128 }, StemWidth = 8)]
public partial class SeedBench64;

/// <summary>
/// The MONAI (paper) layout in its BTCV configuration, the numbers of the <c>MonaiBtcvUnetr</c> preset and of MONAI's
/// <c>UNETR</c> defaults: 96³, 1 → 14 channels, perceptron patches, 768 wide, 12 heads, MLP 3072, feature size 16,
/// instance norm, residual blocks. A forward pass takes about half a second on two cores.
/// </summary>
[Unetr(Layout = UnetrLayout.Monai, ImageSize = new[] { 96, 96, 96 }, InChannels = 1, OutChannels = 14)]
[PatchEmbedding(PatchSize = 16, Projection = PatchProjection.Perceptron)]
[Encoder(EmbedDim = 768, Depth = 12, Heads = 12, MlpDim = 3072, ExtractLayers = new[] { 4, 7, 10, 12 }, FinalNorm = true, QkvBias = false)]
[Decoder(Widths = new[] { 16, 32, 64, 128 }, Norm = NormKind.Instance, Residual = true)]
public partial class MonaiBench96;

/// <summary>
/// The seed network (<c>SeedUnetr</c>: 768 wide, 12 heads, MLP 2048, decoder widths 64–512, stem 32) at full width, at 64³
/// instead of 128³ so that the speed report's rounds take seconds. Dropout (0.1 in the preset) is left out on both
/// sides of the comparison: the PyTorch seed script has none, and it is a negligible share of a step.
/// </summary>
[Unetr(Layout = UnetrLayout.Seed, ImageSize = new[] { 64, 64, 64 }, InChannels = 4, OutChannels = 3)]
[PatchEmbedding(PatchSize = 16, Projection = PatchProjection.Conv)]
[Encoder(EmbedDim = 768, Depth = 12, Heads = 12, MlpDim = 2048, ExtractLayers = new[] { 3, 6, 9, 12 })]
[Decoder(Widths = new[] { 64, 128, 256, 512 }, StemWidth = 32)]
public partial class SeedUnetr64;

/// <summary>MONAI's BTCV network (<c>MonaiBtcvUnetr</c>'s numbers) with every transformer block checkpointed.</summary>
[Unetr(Layout = UnetrLayout.Monai, ImageSize = new[] { 96, 96, 96 }, InChannels = 1, OutChannels = 14)]
[PatchEmbedding(PatchSize = 16, Projection = PatchProjection.Perceptron)]
[Encoder(EmbedDim = 768, Depth = 12, Heads = 12, MlpDim = 3072, ExtractLayers = new[] { 4, 7, 10, 12 }, FinalNorm = true, QkvBias = false, Checkpointing = true)]
[Decoder(Widths = new[] { 16, 32, 64, 128 }, Norm = NormKind.Instance, Residual = true)]
public partial class MonaiBtcvEncoderCheckpointed;

/// <summary>MONAI's BTCV network with every stage of its convolutional path (encoder1–4, decoder5–2, out) checkpointed.</summary>
[Unetr(Layout = UnetrLayout.Monai, ImageSize = new[] { 96, 96, 96 }, InChannels = 1, OutChannels = 14)]
[PatchEmbedding(PatchSize = 16, Projection = PatchProjection.Perceptron)]
[Encoder(EmbedDim = 768, Depth = 12, Heads = 12, MlpDim = 3072, ExtractLayers = new[] { 4, 7, 10, 12 }, FinalNorm = true, QkvBias = false)]
[Decoder(Widths = new[] { 16, 32, 64, 128 }, Norm = NormKind.Instance, Residual = true, Checkpointing = true)]
public partial class MonaiBtcvDecoderCheckpointed;

/// <summary>MONAI's BTCV network with the transformer blocks and every stage of its convolutional path checkpointed.</summary>
[Unetr(Layout = UnetrLayout.Monai, ImageSize = new[] { 96, 96, 96 }, InChannels = 1, OutChannels = 14)]
[PatchEmbedding(PatchSize = 16, Projection = PatchProjection.Perceptron)]
[Encoder(EmbedDim = 768, Depth = 12, Heads = 12, MlpDim = 3072, ExtractLayers = new[] { 4, 7, 10, 12 }, FinalNorm = true, QkvBias = false, Checkpointing = true)]
[Decoder(Widths = new[] { 16, 32, 64, 128 }, Norm = NormKind.Instance, Residual = true, Checkpointing = true)]
public partial class MonaiBtcvCheckpointed;
