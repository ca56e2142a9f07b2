using System;
using static TorchSharp.torch;

namespace Unetr.Model.Runtime;

/// <summary>
/// Runs small token computations on one CPU thread. For a few dozen tokens every transformer operation is a few
/// microseconds of arithmetic, and handing it to a second OpenMP thread (which sleeps between regions, see
/// <see cref="OpenMpWaitPolicy"/>) costs more than it saves.
/// </summary>
/// <remarks>
/// On the 2-core machine of docs/speed-notes.md (throwaway probe, inference, one thread against two): a 64 × 192 → 768
/// linear 199 against 252 µs, 128 × 192 → 768 498 against 350 µs, 216 × 192 → 768 816 against 382 µs; the seed speed
/// network's whole forward 122–123 against 126–132 ms with its 64-token transformer on one thread. Hence the limit of
/// 16,384 on rows × width. libtorch's thread count is process-wide: the scope sets it for its duration and restores it,
/// so networks should not run their forward passes concurrently from several .NET threads (libtorch's CPU kernels
/// already use every thread).
/// </remarks>
public static class ThreadBudget
{
    /// <summary>
    /// A scope that runs libtorch's CPU work on one thread while it is open, when <paramref name="tokens"/>
    /// (<c>[…, width]</c>, on the CPU) holds at most <see cref="CpuRoutingPolicy.SingleThreadTokenLimit"/> values of
    /// <see cref="CpuRoutingPolicy.Current"/>; otherwise a scope that changes nothing.
    /// </summary>
    public static Scope ForTokens(Tensor tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.device_type != TorchSharp.DeviceType.CPU || !CpuRoutingPolicy.Current.RunsTokensOnOneThread(tokens.numel()))
        {
            return default;
        }

        var threads = get_num_threads();
        if (threads <= 1)
        {
            return default;
        }

        set_num_threads(1);
        return new Scope(threads);
    }

    /// <summary>Restores libtorch's thread count when disposed, if <see cref="ForTokens"/> changed it.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly int _restore;

        internal Scope(int restore) => _restore = restore;

        /// <summary>Whether this scope lowered the thread count.</summary>
        public bool SingleThreaded => _restore > 0;

        /// <inheritdoc/>
        public void Dispose()
        {
            if (_restore > 0)
            {
                set_num_threads(_restore);
            }
        }
    }
}
