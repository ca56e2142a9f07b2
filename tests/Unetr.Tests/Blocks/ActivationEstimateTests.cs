using Unetr.Measurement.Networks;
using Unetr.Model.Compiled;
using Unetr.Model.Presets;
using Xunit;

namespace Unetr.Tests.Blocks;

public sealed class ActivationEstimateTests
{
    // Input 1 × 8³; a full-resolution residual block of 16 channels, and a half-resolution transposed convolution.
    private static readonly ModelSummary Small = new(
        "Small",
        new long[] { 1, 8, 8, 8 },
        new SummaryRow[]
        {
            new("encoder1", "UnetrBasicBlock", 0, new long[] { 16, 8, 8, 8 }, 0, 0),
            new("encoder1.layer", "UnetResBlock", 1, new long[] { 16, 8, 8, 8 }, 0, 0),
            new("encoder2", "UnetrPrUpBlock", 0, new long[] { 32, 4, 4, 4 }, 0, 0),
            new("encoder2.transp_conv_init", "ConvTranspose3d", 1, new long[] { 32, 4, 4, 4 }, 0, 0),
        },
        0,
        0,
        0);

    [Fact]
    public void Plain_estimate_counts_the_tensors_each_block_keeps()
    {
        // 8 tensors of 16 × 512 for the residual block, 1 of 32 × 64 for the transposed convolution; float32, batch 2.
        Assert.Equal(4 * 2 * ((8 * 16 * 512) + (32 * 64)), Small.EstimateActivationBytes(2));
    }

    [Fact]
    public void Checkpointed_full_resolution_stage_keeps_its_output_and_recomputes_its_tensors_once()
    {
        // Kept: encoder1's output (16 × 512) and encoder2's tensor; during the backward pass encoder1's 8 tensors again.
        Assert.Equal(4 * 2 * ((16 * 512) + (32 * 64) + (8 * 16 * 512)), Small.EstimateActivationBytes(2, decoderCheckpointing: true));
    }

    [Fact]
    public void Checkpointing_lowers_the_estimate_of_the_btcv_network()
    {
        var plain = MonaiBtcvUnetr.Summary.EstimateActivationBytes(2);
        var encoder = MonaiBtcvEncoderCheckpointed.Summary.EstimateActivationBytes(2, encoderCheckpointing: true);
        var decoder = MonaiBtcvDecoderCheckpointed.Summary.EstimateActivationBytes(2, decoderCheckpointing: true);
        var both = MonaiBtcvCheckpointed.Summary.EstimateActivationBytes(2, true, true);

        Assert.True(encoder < plain, $"{encoder} < {plain}");
        Assert.True(decoder < plain, $"{decoder} < {plain}");
        Assert.True(both < decoder && both < encoder, $"{both} < {decoder}, {encoder}");
    }
}
