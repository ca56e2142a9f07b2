using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Unetr.Model.Blocks;

namespace Unetr.Model.Runtime;

/// <summary>
/// Which CPU fast path each block takes: the one place that holds the thresholds of <see cref="OneDnnLinear"/>,
/// <see cref="OneDnnConv3d"/>, <see cref="PatchConv3d"/>, <see cref="ThreadBudget"/> and
/// <see cref="ChannelsLast.PaysForTraining"/>. Every fast path computes the same function as the plain libtorch call,
/// so a policy changes speed, never results beyond rounding.
/// </summary>
/// <remarks>
/// <para>
/// The defaults were tuned on the 2-core AMD EPYC machines of docs/speed-notes.md. To change them, build a policy with
/// <c>with</c> (<c>CpuRoutingPolicy.Default with { SingleThreadTokenLimit = 0 }</c>) and either pass it to
/// <see cref="UnetrRuntime.Configure"/> (<see cref="UnetrRuntimeOptions.Routing"/>), which makes it the policy of the
/// process, or open <see cref="Use"/> around a forward pass, which applies it to the calling thread (and the async
/// flow it starts) only. <see cref="Plain"/> turns every fast path off.
/// </para>
/// <para>Blocks read <see cref="Current"/> on every call; an instance is immutable, so reading it is thread-safe.</para>
/// </remarks>
public sealed record CpuRoutingPolicy
{
    /// <summary>
    /// libtorch's own limit (2.10, <c>ConvParams::use_mkldnn</c>): a float batch-1 CPU convolution with a kernel of at
    /// most 3 goes to oneDNN only if N·C·D·H (its first four sizes) is above it. A fact about libtorch, not a tuned value.
    /// </summary>
    public const long LibTorchOneDnnLimit = 20_480;

    private static readonly AsyncLocal<CpuRoutingPolicy?> Scoped = new();
    private static CpuRoutingPolicy _process = new();

    /// <summary>The recommended policy: every fast path on, with the thresholds below.</summary>
    public static CpuRoutingPolicy Default { get; } = new();

    /// <summary>
    /// Every fast path off: blocks make the plain libtorch calls and training keeps row-major weights. (The weight
    /// layout that keeps oneDNN off a faulty kernel on some CPUs is a correctness fix, not a fast path, and
    /// stays.)
    /// </summary>
    public static CpuRoutingPolicy Plain { get; } = new()
    {
        LinearAsConvolutionMinimumRows = null,
        ConvolutionRoutes = false,
        PatchProduct = false,
        SingleThreadTokenLimit = 0,
        ChannelsLastTrainingVoxelLimit = 0,
        FoldBatchNorm = false,
        WinogradMinimumChannels = null,
    };

    /// <summary>
    /// The policy in force on the calling thread: the one <see cref="Use"/> opened, else the one
    /// <see cref="UnetrRuntime.Configure"/> set, else <see cref="Default"/>.
    /// </summary>
    public static CpuRoutingPolicy Current => Scoped.Value ?? Volatile.Read(ref _process);

    /// <summary>
    /// Fewest rows (tokens × batch) for which <see cref="OneDnnLinear"/> computes its product as a oneDNN 1×1
    /// convolution (and only if rows × in is above <see cref="LibTorchOneDnnLimit"/>, where libtorch hands that
    /// convolution to oneDNN); below it the convolution's set-up costs more than it saves. <c>null</c>: never.
    /// </summary>
    public long? LinearAsConvolutionMinimumRows { get; init; } = 128;

    /// <summary>
    /// Whether <see cref="OneDnnConv3d"/> pads explicitly or cuts depth slabs so that a batch-1 convolution which
    /// libtorch would compute by unfold and BLAS goes to oneDNN.
    /// </summary>
    public bool ConvolutionRoutes { get; init; } = true;

    /// <summary>Whether <see cref="PatchConv3d"/> computes a patch embedding as one matrix product instead of a convolution.</summary>
    public bool PatchProduct { get; init; } = true;

    /// <summary>
    /// Largest number of token values (rows × width) whose transformer blocks <see cref="ThreadBudget"/> runs on one
    /// libtorch thread, since handing a few microseconds of work to a second OpenMP thread costs more than it saves.
    /// 0: never.
    /// </summary>
    public long SingleThreadTokenLimit { get; init; } = 16_384;

    /// <summary>
    /// Voxels per training batch (batch size × spatial sizes) up to which a network with an
    /// <see cref="InstanceNorm"/> trains with channels-last weights; above it the copies around each instance norm cost
    /// more than oneDNN's channels-last kernels gain. Networks without instance norm always train channels-last,
    /// unless this is 0 (never channels-last). Default 64³.
    /// </summary>
    public long ChannelsLastTrainingVoxelLimit { get; init; } = 64L * 64 * 64;

    /// <summary>
    /// Most channels (the larger of input and output) of a convolution or transposed convolution whose weight
    /// <see cref="ChannelsLast.ConvertForTraining"/> makes channels-last; wider layers keep row-major weights, and in a
    /// training forward such an <see cref="OneDnnConv3d"/> copies a channels-last input to row-major first, so oneDNN
    /// computes it in its blocked layout. Default <see cref="long.MaxValue"/>: every layer channels-last, no copies.
    /// 32 made the seed network's train step faster on the Zen 5 EPYC of 2026-12-04 (the <c>training-layouts</c> verb;
    /// docs/speed-notes.md, "Row-major wide layers in training") but is not the default: with it, two data-parallel ranks
    /// drifted from one process with the whole batch beyond DistributedTrainingTests' bounds (not understood yet).
    /// Networks that train row-major (<see cref="ChannelsLastPaysForTraining"/> false) are not converted and take no copies.
    /// </summary>
    public long ChannelsLastTrainingMaximumChannels { get; init; } = long.MaxValue;

    /// <summary>
    /// Whether a seed-layout convolution followed by BatchNorm and ReLU (<see cref="Blocks.Seed.ConvBlock"/>,
    /// <see cref="Blocks.Seed.DeconvBlock"/>) computes, in evaluation mode without gradients, one convolution with the
    /// BatchNorm folded into its weight and bias, then the ReLU in place (<see cref="Blocks.Seed.BatchNormFold"/>).
    /// </summary>
    public bool FoldBatchNorm { get; init; } = true;

    /// <summary>
    /// Fewest input and output channels (both) for which <see cref="OneDnnConv3d"/> computes a stride-1, padding-1
    /// 3×3×3 CPU convolution by Winograd F(2³, 3³) (<see cref="Winograd3d"/>) in evaluation mode without gradients.
    /// <c>null</c>: never. Below 128 channels the transforms cost more than the products save (the <c>winograd</c> verb).
    /// </summary>
    public long? WinogradMinimumChannels { get; init; } = 128;

    /// <summary>
    /// Most input or output channels for the Winograd route: above 512 <see cref="Winograd3d"/> multiplies in chunks or by
    /// libtorch's <c>bmm</c>, which did not pay for the one such seed shape (1024 → 512 at 8³).
    /// </summary>
    public long WinogradMaximumChannels { get; init; } = 512;

    /// <summary>
    /// Most voxels (D·H·W of one sample) for the Winograd route: at 64³ its transforms, 8× the input and the output,
    /// cost more than the products save; at 32³ and below it was 1.1–1.7× faster (the <c>winograd</c> verb).
    /// </summary>
    public long WinogradMaximumVoxels { get; init; } = 32L * 32 * 32;

    /// <summary>
    /// Values of the transformed input (64 per tile and input channel) that <see cref="Winograd3d"/> builds at once; the
    /// volume goes through in as many depth slabs as that takes, at least one tile plane each.
    /// </summary>
    public long WinogradSlabValues { get; init; } = 1L << 24;

    /// <summary>
    /// Makes <paramref name="policy"/> the policy of the calling thread and of the async flow it starts, until the
    /// returned scope is disposed (which restores the previous one). Other threads are not affected.
    /// </summary>
    public static Scope Use(CpuRoutingPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var previous = Scoped.Value;
        Scoped.Value = policy;
        return new Scope(previous);
    }

    /// <summary>Whether <see cref="OneDnnLinear"/> computes an input of this shape as a oneDNN convolution.</summary>
    /// <param name="inputShape"><c>[…, in]</c>.</param>
    /// <param name="inFeatures">The weight's input width.</param>
    /// <param name="onCpu">Whether the input is on the CPU.</param>
    /// <returns>True for the convolution route, false for libtorch's <c>linear</c>.</returns>
    public bool LinearUsesConvolution(IReadOnlyList<long> inputShape, long inFeatures, bool onCpu)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        if (LinearAsConvolutionMinimumRows is not { } minimumRows || !onCpu || inputShape.Count < 2 || inputShape[^1] != inFeatures)
        {
            return false;
        }

        var rows = inputShape.Take(inputShape.Count - 1).Aggregate(1L, (product, size) => product * size);
        return rows >= minimumRows && rows * inFeatures > LibTorchOneDnnLimit;
    }

    /// <summary>How <see cref="OneDnnConv3d"/> computes a stride-1 convolution of this kernel and padding for an input of this shape.</summary>
    /// <param name="inputShape"><c>[N, C, D, H, W]</c>; an unbatched <c>[C, D, H, W]</c> goes as it is.</param>
    /// <param name="kernel">Kernel size along every axis.</param>
    /// <param name="padding">Zero padding along every axis.</param>
    /// <param name="onCpu">Whether the input is on the CPU.</param>
    /// <returns>
    /// <see cref="OneDnnRoute.AsIs"/> unless this is a CPU batch-1 convolution with a kernel of at most 3 and more than
    /// one input channel that libtorch would not give to oneDNN; then explicit padding when that alone lifts N·C·D·H
    /// over <see cref="LibTorchOneDnnLimit"/>, else two depth slabs when the output has at least two planes.
    /// </returns>
    public OneDnnRoute ConvolutionRoute(IReadOnlyList<long> inputShape, long kernel, long padding, bool onCpu)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        if (!ConvolutionRoutes || inputShape.Count != 5)
        {
            return OneDnnRoute.AsIs;
        }

        long channels = inputShape[1], depth = inputShape[2], height = inputShape[3];
        if (!onCpu || inputShape[0] != 1 || kernel > 3 || channels == 1 || channels * depth * height > LibTorchOneDnnLimit)
        {
            return OneDnnRoute.AsIs;
        }

        if (channels * (depth + 2 * padding) * (height + 2 * padding) > LibTorchOneDnnLimit)
        {
            return OneDnnRoute.PaddedInput;
        }

        return depth + 2 * padding - kernel + 1 >= 2 ? OneDnnRoute.DepthSlabs : OneDnnRoute.AsIs;
    }

    /// <summary>Whether <see cref="OneDnnConv3d"/> computes this convolution by Winograd F(2³, 3³), given that it runs in evaluation mode without gradients.</summary>
    /// <param name="inputShape"><c>[N, C, D, H, W]</c>.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernel">Kernel size along every axis.</param>
    /// <param name="padding">Zero padding along every axis.</param>
    /// <param name="onCpu">Whether the input is on the CPU.</param>
    /// <returns>
    /// True for a batched CPU input of at most <see cref="WinogradMaximumVoxels"/> voxels, a 3×3×3 kernel with padding 1,
    /// and input and output channels from <see cref="WinogradMinimumChannels"/> to <see cref="WinogradMaximumChannels"/>.
    /// </returns>
    public bool ConvolutionUsesWinograd(IReadOnlyList<long> inputShape, long outChannels, long kernel, long padding, bool onCpu)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        return WinogradMinimumChannels is { } minimum && onCpu && inputShape.Count == 5 && kernel == 3 && padding == 1
            && inputShape[1] >= minimum && outChannels >= minimum && inputShape[1] <= WinogradMaximumChannels && outChannels <= WinogradMaximumChannels
            && inputShape[2] * inputShape[3] * inputShape[4] <= WinogradMaximumVoxels;
    }

    /// <summary>Tile planes per depth slab of <see cref="Winograd3d.Convolve"/> for an input of this shape (see <see cref="WinogradSlabValues"/>).</summary>
    /// <param name="inputShape"><c>[N, C, D, H, W]</c>.</param>
    public long WinogradTilesPerSlab(IReadOnlyList<long> inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        var perTilePlane = Winograd3d.Positions * inputShape[1] * ((inputShape[3] + 1) / 2) * ((inputShape[4] + 1) / 2);
        return Math.Max(1, WinogradSlabValues / perTilePlane);
    }

    /// <summary>Whether <see cref="PatchConv3d"/> computes an input of this shape as a product of patches.</summary>
    /// <param name="inputShape"><c>[N, C, D, H, W]</c>.</param>
    /// <param name="patch">Kernel size and stride along every axis.</param>
    /// <param name="onCpu">Whether the input is on the CPU.</param>
    /// <returns>True when the product is on, the input is batched and on the CPU, and the patch divides every spatial size.</returns>
    public bool PatchUsesProduct(IReadOnlyList<long> inputShape, long patch, bool onCpu)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        return PatchProduct && onCpu && inputShape.Count == 5 && inputShape.Skip(2).All(size => size % patch == 0);
    }

    /// <summary>Whether <see cref="ThreadBudget"/> runs token work of this many values on one thread.</summary>
    /// <param name="values">Elements of the token tensor (tokens in the batch × width).</param>
    public bool RunsTokensOnOneThread(long values) => values <= SingleThreadTokenLimit;

    /// <summary>Whether training with channels-last weights pays for batches of this shape (see <see cref="ChannelsLastTrainingVoxelLimit"/>).</summary>
    /// <param name="batchShape"><c>[N, C, spatial…]</c>; channels do not count.</param>
    /// <param name="hasInstanceNorm">Whether the network has an <see cref="InstanceNorm"/>.</param>
    public bool ChannelsLastPaysForTraining(IReadOnlyList<long> batchShape, bool hasInstanceNorm)
    {
        ArgumentNullException.ThrowIfNull(batchShape);
        if (ChannelsLastTrainingVoxelLimit <= 0)
        {
            return false;
        }

        var voxels = batchShape.Where((_, axis) => axis != 1).Aggregate(1L, (product, size) => product * size);
        return !hasInstanceNorm || voxels <= ChannelsLastTrainingVoxelLimit;
    }

    /// <summary>
    /// Whether a layer of these channel counts trains channels-last (<see cref="ChannelsLastTrainingMaximumChannels"/>);
    /// only asked once <see cref="ChannelsLastPaysForTraining"/> said yes for the network.
    /// </summary>
    public bool TrainsChannelsLast(long inChannels, long outChannels) =>
        Math.Max(inChannels, outChannels) <= ChannelsLastTrainingMaximumChannels;

    /// <summary>Makes <paramref name="policy"/> the policy of threads that opened no <see cref="Use"/> scope.</summary>
    internal static void SetProcessPolicy(CpuRoutingPolicy policy) => Volatile.Write(ref _process, policy);

    /// <summary>Restores the calling thread's previous policy when disposed.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly CpuRoutingPolicy? _previous;

        internal Scope(CpuRoutingPolicy? previous) => _previous = previous;

        /// <inheritdoc/>
        public void Dispose() => Scoped.Value = _previous;
    }
}
