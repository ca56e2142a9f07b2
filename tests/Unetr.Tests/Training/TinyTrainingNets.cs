using Unetr.Dsl;

namespace Unetr.Tests.Training;

// A network small enough to take a training step in milliseconds. Seed layout, so that the checkpoint must carry
// BatchNorm running statistics, and dropout, so that a resumed run depends on libtorch's generator being restored.
[Unetr(Layout = UnetrLayout.Seed, ImageSize = new[] { 16, 16, 16 }, InChannels = 1, OutChannels = 3)]
[PatchEmbedding(PatchSize = 8)]
[Encoder(EmbedDim = 16, Depth = 3, Heads = 2, MlpDim = 32, ExtractLayers = new[] { 1, 2, 3 }, Dropout = 0.1)]
[Decoder(Widths = new[] { 4, 8, 16 }, StemWidth = 4)]
public partial class TrainableTinyNet;

// Same configuration in the MONAI layout, to show a checkpoint refuses another network class.
[Unetr(Layout = UnetrLayout.Monai, ImageSize = new[] { 16, 16, 16 }, InChannels = 1, OutChannels = 3)]
[PatchEmbedding(PatchSize = 8)]
[Encoder(EmbedDim = 16, Depth = 3, Heads = 2, MlpDim = 32)]
[Decoder(Widths = new[] { 4, 8, 16 })]
public partial class OtherTinyNet;
