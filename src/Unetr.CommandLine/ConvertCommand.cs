using System;
using System.CommandLine;
using System.IO;
using System.Linq;
using Unetr.Model.Checkpoints;
using Unetr.Model.Data;

namespace Unetr.CommandLine;

/// <summary>
/// The <c>convert</c> command: loads weights into a preset strictly and writes them back in the format the output's
/// extension names, without the keys the preset does not use (MONAI's cross-attention, for one), and their
/// preprocessing settings file beside them when there is one.
/// </summary>
internal static class ConvertCommand
{
    /// <summary>Builds the command with its options and action.</summary>
    public static Command Create(ModelCatalog models)
    {
        var model = new Option<string>("--model")
        {
            Description = "Network the weights belong to: " + models.Names,
            Required = true,
        };
        var weights = new Option<string>("--weights") { Description = $"State dict to read: {CheckpointFormats.Recognised}.", Required = true };
        var output = new Option<string>("--output") { Description = $"State dict to write, the format chosen by the extension: {CheckpointFormats.Recognised}.", Required = true };
        var command = new Command("convert", "Check that weights fit a preset, then write them as a PyTorch .pt or a .safetensors file (unused keys dropped).")
        {
            model, weights, output,
        };
        command.SetAction(result => CommandFailure.Report(() => Run(models, result.GetValue(model)!, result.GetValue(weights)!, result.GetValue(output)!)));
        return command;
    }

    private static int Run(ModelCatalog models, string model, string weights, string output)
    {
        CheckpointFormats.FromPath(output);
        var preset = models.Find(model);
        CommandFailure.RequireFile(weights, "weights", "--weights");
        var fullOutput = OutputPaths.RequireFile(output, "--output");
        // The preprocessing settings travel with the weights, so that infer and evaluate find them beside the new file.
        var (settings, newSettings) = (Path.GetFullPath(PreprocessingFile.BesideWeights(weights)), PreprocessingFile.BesideWeights(fullOutput));
        var copied = File.Exists(settings) && settings != newSettings ? PreprocessingFile.Read(settings) : null;
        if (copied is not null)
        {
            OutputPaths.RequireFile(newSettings, "--output's preprocessing settings");
        }

        OutputPaths.RemoveStaleTemporaries(fullOutput, copied is null ? null : newSettings);
        using var network = preset.Create();
        var loaded = PresetWeights.Load(preset, network, weights);

        // A run that fails while writing leaves no weights without their settings (converted in place, the file is the input: kept).
        var written = fullOutput == Path.GetFullPath(weights) ? Array.Empty<string>() : new[] { fullOutput };
        CommandFailure.DeleteOnFailure(
            () =>
            {
                Directory.CreateDirectory(Path.GetDirectoryName(fullOutput)!);
                StateDictWriter.Save(network, fullOutput);
                Console.WriteLine($"Wrote {fullOutput}: {loaded.LoadedKeys.Count} tensors of {preset.Name} from {Path.GetFullPath(weights)}.");
                foreach (var group in loaded.SkippedKeys.GroupBy(key => key.Reason))
                {
                    Console.WriteLine($"Dropped {group.Count()} unused keys ({group.First().Key}, …): {group.Key}");
                }

                if (copied is not null)
                {
                    PreprocessingFile.Write(newSettings, copied);
                    Console.WriteLine($"Wrote {newSettings}: the preprocessing settings of {settings}.");
                }
            },
            written);
        return 0;
    }
}
