using System;
using System.IO;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Unetr.Model.Training;

/// <summary>
/// The binary layout of a training checkpoint: everything a resumed run needs to continue the uninterrupted run's
/// trajectory. In order: a header naming the format and the model class; the step; the data generator's state; the
/// best validation so far; libtorch's global generator state (dropout); the model's parameters and buffers
/// (TorchSharp's <c>Module.save</c> format); AdamW's state (moments and per-parameter step counts, TorchSharp's
/// <c>save_state_dict</c> format); and a trailer that proves the file is complete. The learning rate is not stored:
/// it is a function of the step and the run's options.
/// </summary>
internal static class TrainingCheckpoint
{
    private const string Magic = "Unetr training checkpoint";
    private const string Trailer = "end of Unetr training checkpoint";
    private const int Version = 1;

    /// <summary>The scalar part of the training state.</summary>
    public sealed record Progress(long Step, ulong RandomState, long BestStep, double? BestMeanDice);

    public static void Write(Stream stream, nn.Module model, OptimizerHelper optimizer, Progress progress)
    {
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(Version);
        writer.Write(model.GetType().FullName ?? model.GetType().Name);
        writer.Write(progress.Step);
        writer.Write(progress.RandomState);
        writer.Write(progress.BestStep);
        writer.Write(progress.BestMeanDice ?? double.NaN);

        using (var rng = get_rng_state())
        {
            var bytes = rng.data<byte>().ToArray();
            writer.Write(bytes.Length);
            writer.Write(bytes);
        }

        model.save(writer);
        optimizer.save_state_dict(writer);
        writer.Write(Trailer);
    }

    /// <summary>Reads a checkpoint into <paramref name="model"/> and <paramref name="optimizer"/> and restores libtorch's generator.</summary>
    /// <exception cref="InvalidDataException">The file is not a checkpoint of this format, is for another model class, or is truncated.</exception>
    public static Progress Read(Stream stream, nn.Module model, OptimizerHelper optimizer, string source)
    {
        using var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        try
        {
            if (reader.ReadString() != Magic)
            {
                throw new InvalidDataException($"'{source}' is not a Unetr training checkpoint.");
            }

            var version = reader.ReadInt32();
            if (version != Version)
            {
                throw new InvalidDataException($"'{source}' is a version {version} training checkpoint; this build reads version {Version}.");
            }

            var modelName = reader.ReadString();
            var expectedName = model.GetType().FullName ?? model.GetType().Name;
            if (modelName != expectedName)
            {
                throw new InvalidDataException($"'{source}' holds a {modelName}, not a {expectedName}.");
            }

            var step = reader.ReadInt64();
            var randomState = reader.ReadUInt64();
            var bestStep = reader.ReadInt64();
            var bestMeanDice = reader.ReadDouble();
            var rngState = reader.ReadBytes(reader.ReadInt32());

            model.load(reader, strict: true);
            optimizer.load_state_dict(reader);
            if (reader.ReadString() != Trailer)
            {
                throw new InvalidDataException($"'{source}' does not end with the checkpoint trailer.");
            }

            using (var rng = tensor(rngState))
            {
                set_rng_state(rng);
            }

            return new Progress(step, randomState, bestStep, double.IsNaN(bestMeanDice) ? null : bestMeanDice);
        }
        catch (EndOfStreamException truncated)
        {
            throw new InvalidDataException($"'{source}' is truncated.", truncated);
        }
    }
}
