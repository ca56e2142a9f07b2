using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
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
/// a trailer that proves the file is complete; and, since version 3, the SHA-256 of every byte before it, so that a
/// flipped byte anywhere (a weight, a moment, the step) is refused instead of resuming a changed run. Version 2 files,
/// the same without the checksum, still load: refusing them would strand every run started before the change, and they
/// are replaced by version 3 at the next validation. The learning rate is not stored: it is a function of the step and
/// the run's options.
/// </summary>
internal static class TrainingCheckpoint
{
    private const string Magic = "Unetr training checkpoint";
    private const string Trailer = "end of Unetr training checkpoint";
    private const int Version = 3;
    private const int VersionWithoutChecksum = 2;
    private const int ChecksumLength = 32;

    /// <summary>The scalar part of the training state.</summary>
    public sealed record Progress(long Step, ulong RandomState, long BestStep, double? BestMeanDice);

    public static void Write(Stream stream, nn.Module model, FlatAdamW optimizer, Progress progress)
    {
        using var checksum = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using (var hashed = new HashingWriteStream(stream, checksum))
        using (var writer = new BinaryWriter(hashed, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            WriteContent(writer, model, optimizer, progress);
        }

        stream.Write(checksum.GetHashAndReset());
    }

    private static void WriteContent(BinaryWriter writer, nn.Module model, FlatAdamW optimizer, Progress progress)
    {
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
    /// <param name="stream">A seekable stream at the checkpoint's first byte; the checkpoint runs to its end.</param>
    /// <param name="model">The model to fill; its class must be the one the checkpoint names.</param>
    /// <param name="optimizer">The optimizer whose state is restored.</param>
    /// <param name="source">The file's name, for messages.</param>
    /// <exception cref="InvalidDataException">
    /// The file is not a checkpoint of this format, fails its checksum (corrupt or truncated), is for another model
    /// class, or is truncated.
    /// </exception>
    public static Progress Read(Stream stream, nn.Module model, FlatAdamW optimizer, string source)
    {
        var start = stream.Position;
        using var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        try
        {
            if (reader.ReadString() != Magic)
            {
                throw new InvalidDataException($"'{source}' is not a Unetr training checkpoint.");
            }

            var version = reader.ReadInt32();
            if (version != Version && version != VersionWithoutChecksum)
            {
                throw new InvalidDataException(
                    $"'{source}' is a version {version} training checkpoint; this build reads versions {VersionWithoutChecksum} and {Version}.");
            }

            var contentEnd = stream.Length;
            if (version == Version)
            {
                contentEnd -= ChecksumLength;
                VerifyChecksum(stream, start, contentEnd, source);
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

            if (stream.Position != contentEnd)
            {
                throw new InvalidDataException($"'{source}' has {contentEnd - stream.Position:N0} unexpected bytes after the checkpoint trailer.");
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

    /// <summary>Hashes <paramref name="contentEnd"/> - <paramref name="start"/> bytes and compares them with the checksum that follows; the stream's position is kept.</summary>
    private static void VerifyChecksum(Stream stream, long start, long contentEnd, string source)
    {
        var position = stream.Position;
        if (contentEnd < position)
        {
            throw new InvalidDataException($"'{source}' is truncated: it is too short to hold a checksum.");
        }

        using var checksum = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        stream.Position = start;
        for (var remaining = contentEnd - start; remaining > 0;)
        {
            var read = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining));
            if (read == 0)
            {
                throw new EndOfStreamException();
            }

            checksum.AppendData(buffer, 0, read);
            remaining -= read;
        }

        var stored = new byte[ChecksumLength];
        stream.ReadExactly(stored);
        if (!checksum.GetHashAndReset().AsSpan().SequenceEqual(stored))
        {
            throw new InvalidDataException(
                $"'{source}' is corrupt or truncated: the SHA-256 checksum it ends with does not match its content, so a byte changed after it was written.");
        }

        stream.Position = position;
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
