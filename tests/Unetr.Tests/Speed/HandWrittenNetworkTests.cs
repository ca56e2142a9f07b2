using System.Linq;
using TorchSharp;
using Unetr.Measurement.Networks;
using Unetr.Measurement.Speed;
using Unetr.Tests.Blocks;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Speed;

public sealed class HandWrittenNetworkTests
{
    [Fact]
    public void Hand_written_network_has_the_generated_networks_state_dict_keys_and_shapes()
    {
        using var generated = new MonaiBench96();
        using var handWritten = new HandWrittenMonaiBench96();

        Assert.Equal(StateKeys.WithShapes(generated), StateKeys.WithShapes(handWritten));
    }

    [Fact]
    public void Hand_written_network_gives_the_generated_output_for_the_same_weights()
    {
        torch.manual_seed(7);
        using var generated = new MonaiBench96();
        using var handWritten = new HandWrittenMonaiBench96();
        handWritten.load_state_dict(generated.state_dict());
        generated.eval();
        handWritten.eval();
        using var input = torch.randn(BenchNetwork.Monai.BatchShape(1));

        using var noGrad = torch.no_grad();
        using var expected = generated.call(input);
        using var actual = handWritten.call(input);

        Assert.Equal(new long[] { 1, 14, 96, 96, 96 }, actual.shape);
        Assert.Equal(0f, (actual - expected).abs().max().item<float>());
    }

    [Fact]
    public void Fresh_hand_written_weights_differ_from_the_generated_ones_until_loaded()
    {
        // Guards the test above: with independent initialisation the outputs must not already agree.
        torch.manual_seed(7);
        using var generated = new MonaiBench96();
        using var handWritten = new HandWrittenMonaiBench96();
        var generatedState = generated.state_dict();

        Assert.Contains(handWritten.state_dict(), entry =>
            entry.Value.dtype == ScalarType.Float32 && !entry.Value.equal(generatedState[entry.Key]).all().item<bool>());
    }
}
