using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using Unetr.Dsl;
using Unetr.Model.Blocks;
using Unetr.Model.Blocks.Monai;
using static TorchSharp.torch;

namespace Unetr.Measurement.Networks;

/// <summary>
/// <see cref="MonaiBench96"/> written by hand from the same runtime blocks, without the generator: no input guard, no
/// stage observer, the shapes spelt out once. It exists to show that generated code costs nothing at run time; its
/// state_dict keys are the generated network's, so one checkpoint loads into both.
/// </summary>
public sealed class HandWrittenMonaiBench96 : nn.Module<Tensor, Tensor>
{
    private static readonly long[] Grid = { 6, 6, 6 };

    private readonly ViT vit;
    private readonly UnetrBasicBlock encoder1;
    private readonly UnetrPrUpBlock encoder2;
    private readonly UnetrPrUpBlock encoder3;
    private readonly UnetrPrUpBlock encoder4;
    private readonly UnetrUpBlock decoder5;
    private readonly UnetrUpBlock decoder4;
    private readonly UnetrUpBlock decoder3;
    private readonly UnetrUpBlock decoder2;
    [ComponentName(Name = "out")]
    private readonly UnetOutBlock output;

    /// <summary>Builds the network with freshly initialised weights on the CPU.</summary>
    public HandWrittenMonaiBench96() : base(nameof(HandWrittenMonaiBench96))
    {
        vit = new ViT(
            spatialDims: 3,
            inChannels: 1,
            imageSize: new long[] { 96, 96, 96 },
            patchSize: 16,
            hiddenSize: 768,
            mlpDim: 3072,
            depth: 12,
            heads: 12,
            projection: PatchProjection.Perceptron,
            dropout: 0,
            qkvBias: false,
            activation: MlpActivation.Gelu,
            finalNorm: true,
            extractLayers: new[] { 4, 7, 10, 12 });
        encoder1 = new UnetrBasicBlock(3, 1, 16, NormKind.Instance, residual: true);
        encoder2 = new UnetrPrUpBlock(3, 768, 32, 2, NormKind.Instance, residual: true);
        encoder3 = new UnetrPrUpBlock(3, 768, 64, 1, NormKind.Instance, residual: true);
        encoder4 = new UnetrPrUpBlock(3, 768, 128, 0, NormKind.Instance, residual: true);
        decoder5 = new UnetrUpBlock(3, 768, 128, NormKind.Instance, residual: true);
        decoder4 = new UnetrUpBlock(3, 128, 64, NormKind.Instance, residual: true);
        decoder3 = new UnetrUpBlock(3, 64, 32, NormKind.Instance, residual: true);
        decoder2 = new UnetrUpBlock(3, 32, 16, NormKind.Instance, residual: true);
        output = new UnetOutBlock(3, 16, 14);
        RegisterComponents();
    }

    /// <summary>Segments [B, 1, 96, 96, 96] into logits [B, 14, 96, 96, 96].</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var hidden = vit.call(input);
        var skip1 = encoder1.call(input);
        var skip2 = encoder2.call(Tokens.ToVolume(hidden[0], Grid));
        var skip3 = encoder3.call(Tokens.ToVolume(hidden[1], Grid));
        var skip4 = encoder4.call(Tokens.ToVolume(hidden[2], Grid));
        var up = decoder5.call(Tokens.ToVolume(hidden[3], Grid), skip4);
        up = decoder4.call(up, skip3);
        up = decoder3.call(up, skip2);
        up = decoder2.call(up, skip1);
        return output.call(up).MoveToOuterDisposeScope();
    }
}
