using Unetr.Dsl;

namespace Unetr.Model.Presets;

/// <summary>The seed document's network: the single-file PyTorch ("tamasino52") UNETR at 128³, 4 → 3 channels (BraTS-style).</summary>
[Unetr(Layout = UnetrLayout.Seed, ImageSize = new[] { 128, 128, 128 }, InChannels = 4, OutChannels = 3)]
[PatchEmbedding(PatchSize = 16, Projection = PatchProjection.Conv)]
[Encoder(EmbedDim = 768, Depth = 12, Heads = 12, MlpDim = 2048, ExtractLayers = new[] { 3, 6, 9, 12 }, Dropout = 0.1)]
[Decoder(Widths = new[] { 64, 128, 256, 512 }, StemWidth = 32)]
public partial class SeedUnetr;

/// <summary>The paper's official layout (MONAI's UNETR), BTCV configuration: 96³, 1 → 14 channels, feature size 16.</summary>
[Unetr(Layout = UnetrLayout.Monai, ImageSize = new[] { 96, 96, 96 }, InChannels = 1, OutChannels = 14)]
[PatchEmbedding(PatchSize = 16, Projection = PatchProjection.Perceptron)]
[Encoder(EmbedDim = 768, Depth = 12, Heads = 12, MlpDim = 3072, ExtractLayers = new[] { 4, 7, 10, 12 }, FinalNorm = true, QkvBias = false)]
[Decoder(Widths = new[] { 16, 32, 64, 128 }, Norm = NormKind.Instance, Residual = true)]
public partial class MonaiBtcvUnetr;

/// <summary>A small MONAI-layout network (32³, 1 → 3 channels) that trains and runs in seconds on a CPU.</summary>
[Unetr(Layout = UnetrLayout.Monai, ImageSize = new[] { 32, 32, 32 }, InChannels = 1, OutChannels = 3)]
[PatchEmbedding(PatchSize = 16)]
[Encoder(EmbedDim = 96, Depth = 4, Heads = 4, MlpDim = 192)]
[Decoder(Widths = new[] { 8, 16, 32, 64 }, Norm = NormKind.Instance, Residual = true)]
public partial class TinyMonaiUnetr;
