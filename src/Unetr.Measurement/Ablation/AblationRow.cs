using System.Collections.Generic;

namespace Unetr.Measurement.Ablation;

/// <summary>The measurements of one variant.</summary>
/// <param name="Name">The variant's class name.</param>
/// <param name="Factor">What it changes relative to the baseline.</param>
/// <param name="Change">The change in words.</param>
/// <param name="Parameters">Trainable parameters (compile-time).</param>
/// <param name="MultiplyAccumulates">MACs of one sample's forward (compile-time, the generator's per-voxel convention).</param>
/// <param name="ForwardSeconds">Median forward time of one sample (eval, inference mode).</param>
/// <param name="TrainStepSeconds">Median time of one training step of one sample (forward, cross-entropy, backward, AdamW).</param>
/// <param name="PeakMemoryBytes">Growth of the process's peak resident memory while building the network and optimizer and taking the timed train steps; <c>null</c> where it cannot be measured.</param>
/// <param name="Dice">Mean foreground Dice on the held-out volumes after the training budget.</param>
/// <param name="ClassDice">Dice of each foreground class (label 1, 2, …) on the held-out volumes.</param>
/// <param name="FinalLoss">Training loss of the last step.</param>
/// <param name="TrainingSeconds">Wall time of the training budget.</param>
public sealed record AblationRow(
    string Name,
    AblationFactor Factor,
    string Change,
    long Parameters,
    long MultiplyAccumulates,
    double ForwardSeconds,
    double TrainStepSeconds,
    long? PeakMemoryBytes,
    double Dice,
    IReadOnlyList<double> ClassDice,
    double FinalLoss,
    double TrainingSeconds);
