using System;
using System.IO;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using static TorchSharp.torch;

namespace Unetr.Onnx;

/// <summary>
/// An exported network run by ONNX Runtime's CPU execution provider, with TorchSharp tensors in and out, so that it
/// goes wherever a module's forward goes (<c>SlidingWindowInferer.Run(volume, onnx.Forward)</c>,
/// <c>VolumeSegmenter</c>).
/// </summary>
public sealed class OnnxRuntimeNetwork : IDisposable
{
    private readonly InferenceSession _session;

    private OnnxRuntimeNetwork(InferenceSession session, OnnxModelInfo info, string path)
    {
        _session = session;
        Info = info;
        Path = path;
    }

    /// <summary>The network's name and per-sample shapes, from the file's metadata.</summary>
    public OnnxModelInfo Info { get; }

    /// <summary>The file it was loaded from (full path).</summary>
    public string Path { get; }

    /// <summary>Loads an exported file.</summary>
    /// <param name="path">A file written by <see cref="OnnxExport"/> (or <c>unetr export</c>).</param>
    /// <param name="threads">Intra-op threads; 0 takes libtorch's current count, so both engines use the same.</param>
    /// <returns>The loaded network; dispose it to free the session.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an ONNX model ONNX Runtime accepts, or lacks Unetr's metadata.</exception>
    public static OnnxRuntimeNetwork Open(string path, int threads = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        var fullPath = System.IO.Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException($"ONNX model '{fullPath}' does not exist.", fullPath);
        }

        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads > 0 ? threads : get_num_threads(),
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        InferenceSession session;
        try
        {
            session = new InferenceSession(fullPath, options);
        }
        catch (OnnxRuntimeException error)
        {
            throw new InvalidDataException($"'{fullPath}' is not an ONNX model that ONNX Runtime can load: {FirstLine(error.Message)}", error);
        }

        try
        {
            var info = OnnxModelInfo.FromMetadata(session.ModelMetadata.CustomMetadataMap, fullPath);
            if (!session.InputMetadata.ContainsKey(OnnxExport.InputName) || !session.OutputMetadata.ContainsKey(OnnxExport.OutputName))
            {
                throw new FormatException($"'{fullPath}' has no '{OnnxExport.InputName}' input and '{OnnxExport.OutputName}' output, as exported networks have.");
            }

            return new OnnxRuntimeNetwork(session, info, fullPath);
        }
        catch (FormatException error)
        {
            session.Dispose();
            throw new InvalidDataException(error.Message, error);
        }
    }

    /// <summary>Runs a batch <c>[B, ..InputShape]</c> and returns the logits <c>[B, ..OutputShape]</c> as a new CPU float32 tensor.</summary>
    /// <param name="batch">The batch, on any device and of any floating type (it is copied as float32).</param>
    /// <returns>The logits, in the caller's dispose scope.</returns>
    /// <exception cref="ArgumentException">The batch's shape is not <c>[B, ..InputShape]</c>.</exception>
    public Tensor Forward(Tensor batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.dim() != Info.InputShape.Count + 1 || !batch.shape.Skip(1).SequenceEqual(Info.InputShape))
        {
            throw new ArgumentException(
                $"{Info.Model} (ONNX) takes [B, {string.Join(", ", Info.InputShape)}]; got [{string.Join(", ", batch.shape)}].", nameof(batch));
        }

        float[] values;
        using (var cpu = batch.detach().to(ScalarType.Float32, CPU).contiguous())
        {
            values = cpu.data<float>().ToArray();
        }

        using var input = OrtValue.CreateTensorValueFromMemory(values, batch.shape);
        using var runOptions = new RunOptions();
        using var outputs = _session.Run(runOptions, new[] { OnnxExport.InputName }, new[] { input }, new[] { OnnxExport.OutputName });
        var logits = outputs[0];
        var shape = logits.GetTensorTypeAndShape().Shape;
        return tensor(logits.GetTensorDataAsSpan<float>().ToArray(), shape);
    }

    /// <inheritdoc/>
    public void Dispose() => _session.Dispose();

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
