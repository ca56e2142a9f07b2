using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Linq;
using TorchSharp;
using Unetr.Model.Checkpoints;
using Unetr.Model.Data;
using Unetr.Model.Data.Nifti;
using Unetr.Model.Data.Transforms;
using Unetr.Model.Inference;
using Unetr.Model.Presets;
using Unetr.Model.Training;
using static TorchSharp.torch;

namespace Unetr.CommandLine;

/// <summary>The options <c>infer</c> and <c>evaluate</c> share: which network, which weights, and how to run it over a volume.</summary>
internal sealed class InferenceOptions
{
    private const string DefaultModel = nameof(TinyMonaiUnetr);

    private readonly ModelCatalog models;

    private readonly Option<string> model;

    private readonly Option<string> weights = new("--weights")
    {
        Description = $"State dict to load: {CheckpointFormats.Recognised} (train writes {CheckpointFiles.BestWeights}).",
        DefaultValueFactory = _ => Path.Combine("runs", "train", CheckpointFiles.BestWeights),
    };

    private readonly Option<double> overlap = new("--overlap")
    {
        Description = "Fraction of a sliding window shared with its neighbour, in [0, 1).",
        DefaultValueFactory = _ => 0.5,
    };

    private readonly Option<string> mode = new("--mode")
    {
        Description = "How overlapping windows are blended: gaussian (centres count more) or constant.",
        DefaultValueFactory = _ => "gaussian",
    };

    private readonly Option<int> windowBatch = new("--sw-batch-size")
    {
        Description = "Sliding windows per network call.",
        DefaultValueFactory = _ => 4,
    };

    private readonly Option<string> device = new("--device")
    {
        Description = "Where the network runs: cpu or cuda (needs the cuda libtorch build and a GPU).",
        DefaultValueFactory = _ => "cpu",
    };

    private readonly Option<string?> preprocessingFile = new("--preprocessing")
    {
        Description = $"Preprocessing settings to apply (JSON, as train writes). Default: the {PreprocessingFile.Extension} file beside --weights when there is one; 'none' ignores it. The options below override single settings.",
    };

    private readonly PreprocessingOptions preprocessing = new();

    private readonly NonFiniteVoxelsOption nonFiniteVoxels = new();

    private readonly Option<int> threads = new("--threads")
    {
        Description = "libtorch CPU threads; 0 keeps libtorch's default (one per core).",
        DefaultValueFactory = _ => 0,
    };

    public InferenceOptions(ModelCatalog models)
    {
        this.models = models;
        model = new("--model") { Description = "Network the weights belong to: " + models.Names, DefaultValueFactory = _ => DefaultModel };
        mode.AcceptOnlyFromAmong("gaussian", "constant");
        device.AcceptOnlyFromAmong("cpu", "cuda");
        OptionRules.Require(overlap, value => value >= 0 && value < 1, "at least 0 and less than 1");
        OptionRules.Positive(windowBatch);
        OptionRules.NotNegative(threads);
    }

    /// <summary>Every option, to add to a command.</summary>
    public IEnumerable<Option> All => new Option[] { model, weights, overlap, mode, windowBatch, device, preprocessingFile }.Concat(preprocessing.All).Append(nonFiniteVoxels.Option).Append(threads);

    /// <summary>The values parsed for a command.</summary>
    /// <exception cref="UsageException">A --preprocessing file named explicitly does not exist.</exception>
    /// <exception cref="InvalidDataException">The preprocessing file is malformed.</exception>
    /// <param name="result">The parsed command line.</param>
    /// <param name="networkFile">The file the network comes from when it is not <c>--weights</c> (an exported .onnx): its preprocessing settings are looked for beside it.</param>
    public InferenceSettings Read(ParseResult result, string? networkFile = null)
    {
        var weightsPath = result.GetValue(weights)!;
        var beside = PreprocessingFile.BesideWeights(networkFile ?? weightsPath);
        var file = result.GetValue(preprocessingFile) switch
        {
            "none" => null,
            null => File.Exists(beside) ? beside : null,
            var named => named,
        };
        if (file is not null)
        {
            CommandFailure.RequireFile(file, "preprocessing settings", "--preprocessing");
        }

        var (settings, given) = preprocessing.Read(result, file is null ? VolumePreprocessing.None : PreprocessingFile.Read(file));
        return new InferenceSettings(
            result.GetValue(model)!,
            weightsPath,
            result.GetValue(device) == "cuda" ? DeviceType.CUDA : DeviceType.CPU,
            result.GetValue(overlap),
            result.GetValue(mode) == "constant" ? WindowWeighting.Constant : WindowWeighting.Gaussian,
            result.GetValue(windowBatch),
            settings,
            file,
            given,
            result.GetValue(threads),
            models,
            nonFiniteVoxels.Read(result).Policy,
            ModelGiven: result.GetResult(model) is { Implicit: false },
            WeightsGiven: result.GetResult(weights) is { Implicit: false });
    }
}

/// <summary>What <see cref="InferenceOptions"/> parsed, and the steps every inference command takes with it.</summary>
internal sealed record InferenceSettings(
    string Model,
    string Weights,
    DeviceType Device,
    double Overlap,
    WindowWeighting Mode,
    int WindowBatch,
    VolumePreprocessing Preprocessing,
    string? PreprocessingSource,
    IReadOnlyList<string> PreprocessingGiven,
    int Threads,
    ModelCatalog Models,
    NonFiniteVoxels NonFiniteVoxels = NonFiniteVoxels.Refuse,
    bool ModelGiven = false,
    bool WeightsGiven = false)
{
    /// <summary>Builds the preset, loads the weights strictly (a misfit names its keys) and puts it in eval mode on the device.</summary>
    public LoadedNetwork Load()
    {
        var preset = Models.Find(Model);
        if (preset.Summary.InputShape.Count != 4)
        {
            throw new UsageException($"{preset.Name} takes [{string.Join(", ", preset.Summary.InputShape)}]; these commands segment 3D volumes [C, D, H, W].");
        }

        CommandFailure.RequireFile(Weights, "weights", "--weights");
        if (Device == DeviceType.CUDA && !cuda.is_available())
        {
            throw new UsageException("--device cuda: libtorch sees no CUDA device here (the cpu build, or no GPU); use --device cpu.");
        }

        if (Threads > 0)
        {
            set_num_threads(Threads);
        }

        var network = preset.Create();
        try
        {
            var result = PresetWeights.Load(preset, network, Weights);
            network.to(new Device(Device));
            network.eval();
            return new LoadedNetwork(preset, network, result, new Device(Device));
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>Sliding windows of the network's own input size.</summary>
    public SlidingWindowInferer Inferer(IReadOnlyList<long> inputShape) =>
        new(inputShape.Skip(1).ToArray(), Overlap, WindowBatch, Mode);

    /// <summary>How NIfTI axes become the network's [D, H, W].</summary>
    public VoxelAxisOrder AxisOrder => Preprocessing.AxisOrder;

    /// <summary>Preprocesses a volume as read, runs <paramref name="loaded"/> over it window by window and maps the labels back onto its grid.</summary>
    public VolumeSegmenter Segmenter(ISegmentationEngine loaded)
    {
        var inferer = Inferer(loaded.InputShape);
        return new VolumeSegmenter(Preprocessing, batch => loaded.Logits(inferer, batch));
    }

    /// <summary>
    /// <paramref name="segmenter"/>'s labels for <paramref name="image"/>; a resampled size beyond the limit (a damaged
    /// pixdim) becomes a one-line error naming <paramref name="file"/>, before libtorch is asked for the memory.
    /// </summary>
    public Tensor Segment(VolumeSegmenter segmenter, Tensor image, IReadOnlyList<double> spacingXyz, string file)
    {
        try
        {
            return segmenter.Segment(image, spacingXyz);
        }
        catch (ResampledSizeException tooLarge)
        {
            throw new UsageException($"{file}: {tooLarge.Message}.");
        }
    }

    /// <summary>Describes the sliding window in one line, for the log.</summary>
    public string Describe(Preset preset) => Describe(preset.Summary.InputShape, Device.ToString().ToLowerInvariant());

    /// <summary>Describes the sliding window over inputs of <paramref name="inputShape"/> on <paramref name="engine"/> in one line, for the log.</summary>
    public string Describe(IReadOnlyList<long> inputShape, string engine) => FormattableString.Invariant(
        $"sliding window [{string.Join(", ", inputShape.Skip(1))}], overlap {Overlap}, {Mode.ToString().ToLowerInvariant()} blending, {WindowBatch} windows per call, {engine}");

    /// <summary>Describes the preprocessing and where it came from in one line, for the log.</summary>
    public string DescribePreprocessing()
    {
        var source = (PreprocessingSource, PreprocessingGiven.Count) switch
        {
            (null, 0) => "defaults",
            (null, _) => string.Join(", ", PreprocessingGiven),
            ({ } file, 0) => Path.GetFullPath(file),
            ({ } file, _) => $"{Path.GetFullPath(file)}, with {string.Join(", ", PreprocessingGiven)} from the command line",
        };
        var inverse = Preprocessing.TargetSpacing is not null || Preprocessing.CropForeground is not null ? "; labels are mapped back onto each volume's own grid" : string.Empty;
        return $"Preprocessing ({source}): {PreprocessingOptions.Describe(Preprocessing)}{inverse}.";
    }
}

/// <summary>A preset with weights loaded, ready to run; disposing it frees the network.</summary>
internal sealed record LoadedNetwork(Preset Preset, nn.Module<Tensor, Tensor> Network, CheckpointLoadResult LoadResult, Device Device) : ISegmentationEngine
{
    /// <inheritdoc/>
    public string Name => Preset.Name;

    /// <inheritdoc/>
    public IReadOnlyList<long> InputShape => Preset.Summary.InputShape;

    /// <inheritdoc/>
    public long Channels => Preset.Summary.InputShape[0];

    /// <inheritdoc/>
    public long Classes => Preset.OutputShape[0];

    /// <summary>One log line: what was loaded from where, and which checkpoint keys were skipped on purpose.</summary>
    public string Describe(string weights) =>
        $"Loaded {Path.GetFullPath(weights)} into {Preset.Name} ({LoadResult.LoadedKeys.Count} tensors"
        + (LoadResult.SkippedKeys.Count == 0
            ? ")."
            : $"; skipped {LoadResult.SkippedKeys.Count} checkpoint keys on purpose: {string.Join(" ", LoadResult.SkippedKeys.Select(key => key.Reason).Distinct())})");

    /// <inheritdoc/>
    public Tensor Logits(SlidingWindowInferer inferer, Tensor volume) =>
        inferer.Run(volume.to(Device), Network.call).cpu();

    /// <inheritdoc/>
    public void Dispose() => Network.Dispose();
}
