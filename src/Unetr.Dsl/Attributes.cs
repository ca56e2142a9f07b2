using System;

namespace Unetr.Dsl
{
    /// <summary>
    /// Declares a UNETR network on a <c>partial</c> class. The generator makes the class a TorchSharp
    /// <c>Module&lt;Tensor, Tensor&gt;</c> and proves its shapes at build time. Use together with
    /// <see cref="PatchEmbeddingAttribute"/>, <see cref="EncoderAttribute"/> and <see cref="DecoderAttribute"/>.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = false)]
    public sealed class UnetrAttribute : Attribute
    {
        /// <summary>The PyTorch reference whose <c>state_dict</c> keys the network reproduces. Default: <see cref="UnetrLayout.Monai"/>.</summary>
        public UnetrLayout Layout { get; set; } = UnetrLayout.Monai;

        /// <summary>Input size per spatial axis: two entries for a 2D network, three for 3D. Required.</summary>
        public int[] ImageSize { get; set; } = Array.Empty<int>();

        /// <summary>Number of spatial axes (2 or 3), as MONAI's <c>spatial_dims</c>. Optional: when set it must agree with <see cref="ImageSize"/>.</summary>
        public int SpatialDims { get; set; }

        /// <summary>Channels of the input image. Required.</summary>
        public int InChannels { get; set; }

        /// <summary>Channels of the output (number of classes). Required.</summary>
        public int OutChannels { get; set; }
    }

    /// <summary>How the image is cut into patches and projected to tokens.</summary>
    [AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = false)]
    public sealed class PatchEmbeddingAttribute : Attribute
    {
        /// <summary>Edge of a patch: 4, 8, 16 or 32. The decoder has log2(PatchSize) stages. Default 16.</summary>
        public int PatchSize { get; set; } = 16;

        /// <summary>Patch projection. Default <see cref="PatchProjection.Conv"/>; the seed layout supports only Conv.</summary>
        public PatchProjection Projection { get; set; } = PatchProjection.Conv;
    }

    /// <summary>The ViT encoder.</summary>
    [AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = false)]
    public sealed class EncoderAttribute : Attribute
    {
        /// <summary>Token width (hidden size). Default 768.</summary>
        public int EmbedDim { get; set; } = 768;

        /// <summary>Number of transformer blocks. Default 12.</summary>
        public int Depth { get; set; } = 12;

        /// <summary>Attention heads; must divide <see cref="EmbedDim"/>. Default 12.</summary>
        public int Heads { get; set; } = 12;

        /// <summary>Hidden width of each MLP. Default: 4 × EmbedDim (MONAI), 2048 (seed).</summary>
        public int MlpDim { get; set; }

        /// <summary>
        /// 1-based blocks whose outputs feed the decoder, strictly increasing, log2(PatchSize) of them; the last is the
        /// deepest feature. Default: seed k·Depth/n (3, 6, 9, 12); MONAI k·Depth/n + 1 then Depth (4, 7, 10, 12).
        /// </summary>
        public int[] ExtractLayers { get; set; } = Array.Empty<int>();

        /// <summary>Dropout rate in [0, 1] used after attention, projections and MLP layers (training only). Default 0.</summary>
        public double Dropout { get; set; }

        /// <summary>Apply the final LayerNorm to the deepest feature (MONAI ≥ 1.0 does). Default: true for MONAI; the seed layout never applies it.</summary>
        public bool FinalNorm { get; set; } = true;

        /// <summary>Bias on the fused qkv projection (MONAI). Default false; the seed layout always has biases.</summary>
        public bool QkvBias { get; set; }

        /// <summary>MLP activation. Default: GELU (MONAI), ReLU (seed).</summary>
        public MlpActivation Activation { get; set; }

        /// <summary>
        /// Activation checkpointing: in training, each transformer block keeps only its input and recomputes its
        /// activations in the backward pass. Less memory, one more forward pass of the encoder. Refused with
        /// <see cref="Dropout"/> above 0 (a recomputed dropout would draw another mask). Default false.
        /// </summary>
        public bool Checkpointing { get; set; }
    }

    /// <summary>The convolutional decoder.</summary>
    [AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = false)]
    public sealed class DecoderAttribute : Attribute
    {
        /// <summary>Stage widths from full resolution to the deepest stage, log2(PatchSize) of them (MONAI: feature size × 1, 2, 4, 8). Required.</summary>
        public int[] Widths { get; set; } = Array.Empty<int>();

        /// <summary>Seed layout only: width of the first full-resolution convolution. Default Widths[0] / 2.</summary>
        public int StemWidth { get; set; }

        /// <summary>Decoder normalisation. Default: instance (MONAI), batch (seed; the only one it supports).</summary>
        public NormKind Norm { get; set; }

        /// <summary>MONAI layout: residual blocks (true, default) or plain conv blocks. The seed layout has plain blocks only.</summary>
        public bool Residual { get; set; } = true;

        /// <summary>
        /// Activation checkpointing of every convolutional stage (each encoder and decoder block of the CNN path and the
        /// output block): in training they keep only their inputs and recompute their activations in the backward pass,
        /// one sample at a time where no batch norm couples the samples. Default false.
        /// </summary>
        public bool Checkpointing { get; set; }
    }
}

namespace Unetr.Dsl
{
    /// <summary>
    /// Declares variants of the network on this class: each value of the property becomes a network of its own,
    /// the baseline with that one setting changed, generated as a class nested in the baseline (e.g. <c>Baseline.Depth12</c>).
    /// Several [Sweep]s vary one factor at a time; add <see cref="SweepGridAttribute"/> for every combination instead.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = true)]
    public sealed class SweepAttribute : Attribute
    {
        /// <summary>Varies <paramref name="property"/> over <paramref name="values"/>.</summary>
        /// <param name="property">
        /// A property of <see cref="UnetrAttribute"/>, <see cref="PatchEmbeddingAttribute"/>, <see cref="EncoderAttribute"/> or
        /// <see cref="DecoderAttribute"/>, e.g. <c>nameof(EncoderAttribute.Depth)</c> or <c>"Encoder.Depth"</c> (the names are unique).
        /// </param>
        /// <param name="values">The values it takes, each of the property's type (an <c>int[]</c> written <c>new[] { 8, 16, 32 }</c>).</param>
        public SweepAttribute(string property, params object[] values)
        {
            Property = property;
            Values = values;
        }

        /// <summary>The property varied.</summary>
        public string Property { get; }

        /// <summary>The values it takes, one variant each.</summary>
        public object[] Values { get; }

        /// <summary>
        /// Companion settings applied with every value of this sweep, as property name and value pairs, e.g.
        /// <c>With = new object[] { nameof(DecoderAttribute.Widths), new[] { 8, 16, 32 } }</c> for a patch size that needs
        /// fewer decoder stages. A variant is named after its swept value only; its settings list the companions too.
        /// </summary>
        public object[] With { get; set; } = Array.Empty<object>();
    }

    /// <summary>Expands the class's [Sweep]s as a grid: one variant per combination of their values, instead of one factor at a time.</summary>
    [AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = false)]
    public sealed class SweepGridAttribute : Attribute
    {
    }
}
