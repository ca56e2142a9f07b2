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
    public void Checkpointed_stages_keep_their_outputs_and_recompute_the_largest_for_one_sample()
    {
        // Kept: encoder1's output (16 × 512) and encoder2's (32 × 64), for both samples; during the backward pass
        // encoder1's 8 tensors again, for one sample at a time (no batch norm couples the samples).
        Assert.Equal(4 * ((2 * ((16 * 512) + (32 * 64))) + (8 * 16 * 512)), Small.EstimateActivationBytes(2, decoderCheckpointing: true));
    }

    [Fact]
    public void With_batch_norm_the_recomputation_holds_the_whole_batch()
    {
        var withBatchNorm = new ModelSummary(
            "SmallBatchNorm",
            Small.InputShape,
            new SummaryRow[]
            {
                new("decoder0", "Sequential", 0, new long[] { 16, 8, 8, 8 }, 0, 0),
                new("decoder0.0", "Conv3d", 1, new long[] { 16, 8, 8, 8 }, 0, 0),
                new("decoder0.1", "BatchNorm3d", 1, new long[] { 16, 8, 8, 8 }, 0, 0),
            },
            0,
            0,
            0);
        var plain = withBatchNorm.EstimateActivationBytes(2);
        var checkpointed = withBatchNorm.EstimateActivationBytes(2, decoderCheckpointing: true);

        // Kept: the stage's output for both samples; recomputed: the plain stage's tensors for both samples.
        Assert.Equal((4 * 2 * 16 * 512) + plain, checkpointed);
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
