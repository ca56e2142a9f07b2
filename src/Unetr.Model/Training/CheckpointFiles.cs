namespace Unetr.Model.Training;

/// <summary>Names of the files <see cref="Trainer.Run"/> writes into its output directory.</summary>
public static class CheckpointFiles
{
    /// <summary>Complete training state after the latest validation: resume from this.</summary>
    public const string Last = "last.ckpt";

    /// <summary>Complete training state at the best validation so far.</summary>
    public const string Best = "best.ckpt";

    /// <summary>The best weights alone as a PyTorch state dict (<c>torch.load</c>, <c>StateDictLoader.Load</c>).</summary>
    public const string BestWeights = "best.pt";
}
