namespace Unetr.Dsl
{
    /// <summary>Which PyTorch reference a declared network follows, parameter name for parameter name.</summary>
    public enum UnetrLayout
    {
        /// <summary>MONAI's <c>monai.networks.nets.UNETR</c>, the layout of the paper's official code.</summary>
        Monai = 0,

        /// <summary>The seed document's single-file UNETR (the "tamasino52" layout).</summary>
        Seed = 1,
    }

    /// <summary>How image patches become tokens.</summary>
    public enum PatchProjection
    {
        /// <summary>A convolution whose kernel and stride equal the patch size.</summary>
        Conv = 0,

        /// <summary>The patch flattened in (p1 p2 p3 c) order, then a Linear layer (MONAI's "perceptron").</summary>
        Perceptron = 1,
    }

    /// <summary>Normalisation used by the convolutional decoder.</summary>
    public enum NormKind
    {
        /// <summary>BatchNorm with affine parameters and running statistics.</summary>
        Batch = 0,

        /// <summary>InstanceNorm without affine parameters (MONAI's "instance").</summary>
        Instance = 1,
    }

    /// <summary>Activation between the two Linear layers of each transformer MLP.</summary>
    public enum MlpActivation
    {
        /// <summary>Exact (erf) GELU, MONAI's default.</summary>
        Gelu = 0,

        /// <summary>ReLU, the seed layout's default.</summary>
        Relu = 1,
    }
}
