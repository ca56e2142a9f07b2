using System;
using static TorchSharp.torch;

namespace Unetr.Model.Runtime;

/// <summary>
/// Runs small token computations on one CPU thread. For a few dozen tokens every transformer operation is a few
/// microseconds of arithmetic, and handing it to a second OpenMP thread (which sleeps between regions, see
/// <see cref="OpenMpWaitPolicy"/>) costs more than it saves.
/// </summary>
/// <remarks>
/// The limit is <see cref="CpuRoutingPolicy.SingleThreadTokenLimit"/>; docs/speed-notes.md has the measurements behind
/// it. Under libtorch's OpenMP build the thread count is per OS thread: <c>set_num_threads</c> changes the count of the
/// calling thread (and the count a thread copies on its first libtorch call), so the scope lowers and restores the
/// count of the thread that runs the forward pass only (a thread whose first libtorch call falls inside another
/// thread's scope starts from one thread; worker threads that care set their own count). Networks may run their forward passes concurrently from several
/// .NET threads; ConcurrencyTests checks that their outputs stay those of a pass alone.
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
