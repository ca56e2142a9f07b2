using System;
using System.IO;
using Unetr.Model.Training.Distributed;

namespace Unetr.CommandLine;

/// <summary>
/// What every verb with <c>--distributed</c> does around its work (<c>train</c>, <c>ablate job</c>): join the MPI ranks
/// it was started with, refuse a batch that does not split evenly across them, let rank 0 alone print, and end every rank
/// when one fails.
/// </summary>
internal static class DistributedRun
{
    /// <summary>
    /// Joins <c>MPI_COMM_WORLD</c> and runs <paramref name="work"/> on every rank with the group; returns its exit code.
    /// </summary>
    /// <param name="batchSize">The global batch, which every rank takes an equal share of.</param>
    /// <param name="unevenBatch">The one-line error for a batch that does not split across the given number of ranks: what set the batch and what to change.</param>
    /// <param name="work">The verb's work; ranks above 0 run it with standard output silenced (their errors still show).</param>
    /// <returns>
    /// <see cref="CommandFailure.ExitCode"/> when MPI cannot be joined or the batch does not split; otherwise the work's
    /// exit code. Any failure other than an interrupt (130) aborts every rank, since the others may be waiting in a collective.
    /// </returns>
    public static int Run(int batchSize, Func<int, string> unevenBatch, Func<MpiProcessGroup, int> work)
    {
        MpiProcessGroup group;
        try
        {
            group = MpiProcessGroup.Join();
        }
        catch (MpiException error)
        {
            Console.Error.WriteLine(error.Message);
            return CommandFailure.ExitCode;
        }

        using (group)
        {
            if (batchSize % group.Size != 0)
            {
                Console.Error.WriteLine(unevenBatch(group.Size));
                return CommandFailure.ExitCode;
            }

            // Rank 0 speaks for the run; the others' output would repeat it (their errors still show).
            var output = Console.Out;
            if (group.Rank > 0)
            {
                Console.SetOut(TextWriter.Null);
            }

            int exitCode;
            try
            {
                exitCode = CommandFailure.Report(() => work(group));
            }
            catch (Exception error)
            {
                Console.Error.WriteLine($"Rank {group.Rank} of {group.Size} failed: {error}");
                exitCode = 1;
            }
            finally
            {
                Console.SetOut(output);
            }

            // An interrupt stops every rank at the same step (Trainer.Run agrees on it); any other failure may leave the
            // other ranks waiting in a collective, so it ends them all rather than finalising.
            if (exitCode is not (0 or 130))
            {
                Console.Error.WriteLine($"Rank {group.Rank} of {group.Size} stops the run (exit code {exitCode}).");
                group.Abort(exitCode);
            }

            return exitCode;
        }
    }
}
