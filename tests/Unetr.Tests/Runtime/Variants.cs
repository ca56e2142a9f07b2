using Unetr.Dsl;

namespace Unetr.Tests.Runtime.Variants;

// Small declared variants covering each axis of the DSL: patch 4/8/16/32, 2D and 3D, non-cubic sizes, both norms,
// residual and plain blocks, both projections, both layouts, qkv bias and MLP activation.

[Unetr(Layout = UnetrLayout.Monai, ImageSize = new[] { 16, 16, 32 }, InChannels = 2, OutChannels = 3)]
[PatchEmbedding(PatchSize = 8)]
[Encoder(EmbedDim = 32, Depth = 3, Heads = 4, MlpDim = 64)]
[Decoder(Widths = new[] { 4, 8, 16 })]
public partial class MonaiPatch8NonCubic;

[Unetr(Layout = UnetrLayout.Monai, ImageSize = new[] { 64, 32 }, InChannels = 1, OutChannels = 2)]
[PatchEmbedding(PatchSize = 16, Projection = PatchProjection.Perceptron)]
[Encoder(EmbedDim = 32, Depth = 4, Heads = 2, MlpDim = 64, QkvBias = true)]
[Decoder(Widths = new[] { 4, 8, 16, 32 }, Norm = NormKind.Batch, Residual = false)]
public partial class Monai2DPerceptronBatchPlain;

[Unetr(Layout = UnetrLayout.Monai, ImageSize = new[] { 64, 32, 32 }, InChannels = 1, OutChannels = 2)]
[PatchEmbedding(PatchSize = 32)]
[Encoder(EmbedDim = 24, Depth = 5, Heads = 3, MlpDim = 48, Activation = MlpActivation.Relu, FinalNorm = false)]
[Decoder(Widths = new[] { 2, 4, 8, 16, 32 }, Norm = NormKind.Instance, Residual = true)]
public partial class MonaiPatch32;

[Unetr(Layout = UnetrLayout.Monai, ImageSize = new[] { 16, 24 }, InChannels = 3, OutChannels = 4)]
[PatchEmbedding(PatchSize = 4, Projection = PatchProjection.Perceptron)]
[Encoder(EmbedDim = 16, Depth = 2, Heads = 2, MlpDim = 32)]
[Decoder(Widths = new[] { 4, 8 }, Norm = NormKind.Batch)]
public partial class Monai2DPatch4;

[Unetr(Layout = UnetrLayout.Seed, ImageSize = new[] { 16, 16, 32 }, InChannels = 2, OutChannels = 3)]
[PatchEmbedding(PatchSize = 8)]
[Encoder(EmbedDim = 32, Depth = 3, Heads = 4, MlpDim = 64)]
[Decoder(Widths = new[] { 4, 8, 16 }, StemWidth = 2)]
public partial class SeedPatch8NonCubic;

[Unetr(Layout = UnetrLayout.Seed, ImageSize = new[] { 32, 64 }, InChannels = 1, OutChannels = 2)]
[PatchEmbedding(PatchSize = 16)]
[Encoder(EmbedDim = 32, Depth = 8, Heads = 4, MlpDim = 64, ExtractLayers = new[] { 2, 4, 6, 8 }, Activation = MlpActivation.Gelu, FinalNorm = true)]
[Decoder(Widths = new[] { 4, 8, 16, 32 })]
public partial class Seed2D;

[Unetr(Layout = UnetrLayout.Seed, ImageSize = new[] { 32, 32, 32 }, InChannels = 1, OutChannels = 2)]
[PatchEmbedding(PatchSize = 32)]
[Encoder(EmbedDim = 16, Depth = 5, Heads = 2, MlpDim = 32)]
[Decoder(Widths = new[] { 2, 4, 4, 8, 8 })]
public partial class SeedPatch32;

public static partial class Outer
{
    // Nested declarations are supported when the enclosing types are partial and not generic.
    [Unetr(ImageSize = new[] { 32, 32 }, InChannels = 1, OutChannels = 1)]
    [PatchEmbedding(PatchSize = 16)]
    [Encoder(EmbedDim = 16, Depth = 4, Heads = 2)]
    [Decoder(Widths = new[] { 2, 4, 8, 16 })]
    public partial class NestedDefaults;
}
