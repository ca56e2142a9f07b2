using System.Linq;
using Unetr.Dsl;
using Unetr.Model.Blocks;
using Unetr.Model.Blocks.Monai;
using Unetr.Tests.Training;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Blocks;

// Draws from libtorch's global generator and compares initialisations, so it runs alone.
[Collection(TrainingCollection.Name)]
public sealed class OneDnnLinearTests
{
    // Expected by hand: the convolution route needs at least 128 rows and rows · in above libtorch's 20,480.
    [Theory]
    [InlineData(new long[] { 1, 216, 768 }, 768, true, true)]     // MONAI BTCV tokens
    [InlineData(new long[] { 216, 768 }, 768, true, true)]        // unbatched
    [InlineData(new long[] { 2, 64, 192 }, 192, true, true)]      // 128 rows, 24,576
    [InlineData(new long[] { 1, 64, 192 }, 192, true, false)]     // 64 rows
    [InlineData(new long[] { 2, 8, 96 }, 96, true, false)]        // the tiny preset's 8 tokens
    [InlineData(new long[] { 1, 160, 96 }, 96, true, false)]      // 160 rows but 15,360: libtorch would not use oneDNN
    [InlineData(new long[] { 1, 216, 768 }, 768, false, false)]   // not on the CPU
    [InlineData(new long[] { 768 }, 768, true, false)]            // one vector
    public void Takes_the_convolution_route_for_enough_rows_on_the_cpu(long[] shape, long inFeatures, bool onCpu, bool expected)
    {
        using var linear = new OneDnnLinear(inFeatures, 32);

        Assert.Equal(expected, linear.UsesConvolution(shape, onCpu));
    }

    [Theory]
    [InlineData(new long[] { 1, 216, 192 }, 192, 576, true)]
    [InlineData(new long[] { 2, 3, 50, 96 }, 96, 40, true)]       // two leading axes: 300 rows
    [InlineData(new long[] { 1, 216, 192 }, 192, 576, false)]
    [InlineData(new long[] { 1, 64, 192 }, 192, 512, true)]        // plain linear route
    public void Computes_nn_linear_with_its_parameters_outputs_and_gradients(long[] shape, long inFeatures, long outFeatures, bool hasBias)
    {
        manual_seed(5);
        using var reference = nn.Linear(inFeatures, outFeatures, hasBias);
        manual_seed(5);
        using var routed = new OneDnnLinear(inFeatures, outFeatures, hasBias);
        using var input = randn(shape);
        // The same values through a transposed view: rows that are not contiguous in memory.
        var order = Enumerable.Range(0, shape.Length).Select(i => (long)i).ToArray();
        (order[0], order[^2]) = (order[^2], order[0]);
        using var strided = input.permute(order).contiguous().permute(order);

        RoutedModuleAssert.SameModule(reference, routed, input, strided);
    }

    [Fact]
    public void Keeps_monai_attention_and_mlp_state_dict_keys()
    {
        using var attention = new SelfAttentionBlock(192, 6, dropout: 0.0, qkvBias: false);
        using var mlp = new MlpBlock(192, 768, dropout: 0.0, MlpActivation.Gelu);

        Assert.Equal(new[] { "out_proj.weight", "out_proj.bias", "qkv.weight" }, attention.state_dict().Keys);
        Assert.Equal(new[] { "linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias" }, mlp.state_dict().Keys);
    }
}
