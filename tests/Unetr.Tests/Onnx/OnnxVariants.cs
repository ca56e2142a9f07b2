using Unetr.Dsl;

namespace Unetr.Tests.Onnx;

// The layout options Runtime/Variants.cs leaves out, for the export parity tests: a 3D perceptron projection with batch
// norm, plain blocks and a qkv bias; a seed network at patch 4; dropout above zero (identity in evaluation mode).

[Unetr(Layout = UnetrLayout.Monai, ImageSize = new[] { 16, 16, 16 }, InChannels = 2, OutChannels = 3)]
[PatchEmbedding(PatchSize = 8, Projection = PatchProjection.Perceptron)]
[Encoder(EmbedDim = 24, Depth = 3, Heads = 3, MlpDim = 48, QkvBias = true, Dropout = 0.2)]
[Decoder(Widths = new[] { 4, 8, 16 }, Norm = NormKind.Batch, Residual = false)]
public partial class OnnxMonai3DPerceptronBatchPlain;

[Unetr(Layout = UnetrLayout.Seed, ImageSize = new[] { 16, 16, 16 }, InChannels = 1, OutChannels = 2)]
[PatchEmbedding(PatchSize = 4)]
[Encoder(EmbedDim = 16, Depth = 2, Heads = 2, MlpDim = 32, Activation = MlpActivation.Gelu, FinalNorm = true, Dropout = 0.1)]
[Decoder(Widths = new[] { 4, 8 }, StemWidth = 2)]
public partial class OnnxSeedPatch4;
