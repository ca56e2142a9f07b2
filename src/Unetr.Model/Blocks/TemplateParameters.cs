using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Unetr.Model.Blocks
{
    /// <summary>
    /// Parameters copied from a freshly built libtorch layer, so that a block computing the same function by another
    /// route (<see cref="OneDnnConv3d"/>, <see cref="PatchConv3d"/>, <see cref="OneDnnLinear"/>) is initialised with the
    /// same draws as that layer.
    /// </summary>
    internal static class TemplateParameters
    {
        /// <summary>Copies of <paramref name="weight"/> and, when there is one, <paramref name="bias"/>, as new parameters.</summary>
        public static (Parameter Weight, Parameter? Bias) Copy(Tensor weight, Tensor? bias) =>
            (new Parameter(weight.detach().clone()), bias is null ? null : new Parameter(bias.detach().clone()));
    }
}
