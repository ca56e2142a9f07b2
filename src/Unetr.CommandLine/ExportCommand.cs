using System;
using System.CommandLine;
using System.IO;
using Unetr.Model.Checkpoints;
using Unetr.Model.Data;
using Unetr.Onnx;

namespace Unetr.CommandLine;

/// <summary>
/// The <c>export</c> command: loads weights into any catalog network strictly and writes it as an ONNX model (opset 17,
/// batch axis dynamic) that ONNX Runtime runs without libtorch; the file names the network and its shapes in its metadata.
/// </summary>
internal static class ExportCommand
{
    /// <summary>Builds the command with its options and action.</summary>
    public static Command Create(ModelCatalog models)
    {
        var model = new Option<string>("--model") { Description = "Network to export: " + models.Names, Required = true };
        var weights = new Option<string?>("--weights") { Description = $"State dict to load: {CheckpointFormats.Recognised}. Required unless --random-weights." };
        var random = new Option<bool>("--random-weights") { Description = "Export freshly initialised weights (to try a deployment before training); excludes --weights." };
        var output = new Option<string>("--output") { Description = "The .onnx file to write (atomically).", Required = true };
        var command = new Command("export", "Write a network and its weights as an ONNX model (opset 17, standard operators) for ONNX Runtime.")
        {
            model, weights, random, output,
        };
        command.SetAction(result => CommandFailure.Report(() =>
            Run(models, result.GetValue(model)!, result.GetValue(weights), result.GetValue(random), result.GetValue(output)!)));
        return command;
    }

    private static int Run(ModelCatalog models, string model, string? weights, bool random, string output)
    {
        if (!output.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
        {
            throw new UsageException($"--output must end in .onnx; got '{output}'.");
        }

        if (weights is null == !random)
        {
            throw new UsageException(random
                ? "--weights and --random-weights exclude each other: export trained weights or fresh ones, not both."
                : "export needs --weights FILE (trained weights), or --random-weights to export freshly initialised ones.");
        }

        var preset = models.Find(model);
        if (weights is not null)
        {
            CommandFailure.RequireFile(weights, "weights", "--weights");
        }

        var fullOutput = OutputPaths.RequireFile(output, "--output");

        // The preprocessing settings travel with the network, so that infer --engine onnxruntime finds them beside the file.
        var (settings, newSettings) = weights is null ? (null, null) : (Path.GetFullPath(PreprocessingFile.BesideWeights(weights)), PreprocessingFile.BesideWeights(fullOutput));
        var copied = settings is not null && File.Exists(settings) && settings != newSettings ? PreprocessingFile.Read(settings) : null;
        if (copied is not null)
        {
            OutputPaths.RequireFile(newSettings!, "--output's preprocessing settings");
        }

        OutputPaths.RemoveStaleTemporaries(fullOutput, copied is null ? null : newSettings);
        using var network = preset.Create();
        var source = weights is null ? "freshly initialised weights (--random-weights)" : Path.GetFullPath(weights);
        if (weights is not null)
        {
            PresetWeights.Load(preset, network, weights);
        }

        network.eval();
        Directory.CreateDirectory(Path.GetDirectoryName(fullOutput)!);
        CommandFailure.DeleteOnFailure(
            () =>
            {
                OnnxExport.Save(network, new OnnxModelInfo(preset.Name, preset.Summary.InputShape, preset.OutputShape), fullOutput);
                Console.WriteLine(FormattableString.Invariant(
                    $"Wrote {fullOutput} ({new FileInfo(fullOutput).Length / 1e6:F1} MB): {preset.Name} with {source}, ONNX opset {OnnxExport.Opset}, input [batch, {string.Join(", ", preset.Summary.InputShape)}], output [batch, {string.Join(", ", preset.OutputShape)}]."));
                if (copied is not null)
                {
                    PreprocessingFile.Write(newSettings!, copied);
                    Console.WriteLine($"Wrote {newSettings}: the preprocessing settings of {settings}.");
                }
            },
            fullOutput);
        return 0;
    }
}
