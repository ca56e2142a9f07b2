using System;
using System.Collections.Generic;
using System.IO;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Unetr.Model.Training;

/// <summary>
/// The binary layout of a training checkpoint: everything a resumed run needs to continue the uninterrupted run's
/// trajectory. In order: a header naming the format and the model class; the step; the data generator's state; the
/// best validation so far; libtorch's global generator state (dropout); the model's parameters and buffers (their
/// count, then each one's state-dict key and values in row-major order, TorchSharp's tensor encoding, whatever the
/// tensor's memory layout); AdamW's state (step count and moments, <see cref="FlatAdamW.SaveState"/>);
/// and a trailer that proves the file is complete. The learning rate is not stored:
/// it is a function of the step and the run's options.
/// </summary>
internal static class TrainingCheckpoint
{
    private const string Magic = "Unetr training checkpoint";
    private const string Trailer = "end of Unetr training checkpoint";
    private const int Version = 2;

    /// <summary>The scalar part of the training state.</summary>
    public sealed record Progress(long Step, ulong RandomState, long BestStep, double? BestMeanDice);

    public static void Write(Stream stream, nn.Module model, FlatAdamW optimizer, Progress progress)
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

        WriteModel(writer, model);
        optimizer.SaveState(writer);
        writer.Write(Trailer);
    }

    /// <summary>Reads a checkpoint into <paramref name="model"/> and <paramref name="optimizer"/> and restores libtorch's generator.</summary>
    /// <exception cref="InvalidDataException">The file is not a checkpoint of this format, is for another model class, or is truncated.</exception>
    public static Progress Read(Stream stream, nn.Module model, FlatAdamW optimizer, string source)
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

            ReadModel(reader, model, source);
            optimizer.LoadState(reader, source);
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

    // TorchSharp's Module.save and load only handle contiguous tensors; channels-last weights are not, so each entry is
    // written as a row-major copy and read back through one.
    private static void WriteModel(BinaryWriter writer, nn.Module model)
    {
        var entries = model.state_dict();
        writer.Write(entries.Count);
        foreach (var (key, tensor) in entries)
        {
            writer.Write(key);
            using var rowMajor = tensor.detach().contiguous();
            rowMajor.Save(writer);
        }
    }

    private static void ReadModel(BinaryReader reader, nn.Module model, string source)
    {
        var entries = model.state_dict();
        var count = reader.ReadInt32();
        if (count != entries.Count)
        {
            throw new InvalidDataException($"'{source}' holds {count} state-dict entries; the model has {entries.Count}.");
        }

        using var guard = no_grad();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var key = reader.ReadString();
            if (!entries.TryGetValue(key, out var target) || !seen.Add(key))
            {
                throw new InvalidDataException($"'{source}' holds the state-dict key '{key}' {(seen.Contains(key) ? "twice" : "which the model does not have")}.");
            }

            using var rowMajor = empty(target.shape, dtype: target.dtype);
            try
            {
                rowMajor.Load(reader);
            }
            catch (ArgumentException mismatch)
            {
                throw new InvalidDataException($"'{source}' holds '{key}' with another dtype or shape than the model's {target.dtype} [{string.Join(", ", target.shape)}].", mismatch);
            }

            target.copy_(rowMajor);
        }
    }
}
