using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace Unetr.Model.Checkpoints
{
    /// <summary>
    /// A checkpoint does not fit a module: keys the module needs are missing, keys the module does not have
    /// are present (and are not known-unused), or a tensor's shape differs. Nothing was loaded.
    /// </summary>
    public sealed class CheckpointMismatchException : Exception
    {
        private const int KeysShownPerKind = 20;

        /// <summary>Creates the exception; the message names every kind of mismatch found.</summary>
        /// <param name="missingKeys">Module keys absent from the checkpoint.</param>
        /// <param name="unexpectedKeys">Checkpoint keys the module does not have.</param>
        /// <param name="shapeMismatches">Keys present on both sides with different shapes.</param>
        public CheckpointMismatchException(
            IReadOnlyList<string> missingKeys, IReadOnlyList<string> unexpectedKeys, IReadOnlyList<ShapeMismatch> shapeMismatches)
            : this(missingKeys, unexpectedKeys, shapeMismatches, source: null)
        {
        }

        /// <summary>Creates the exception for a file or stream; the one-line message names <paramref name="source"/> and every kind of mismatch found.</summary>
        /// <param name="missingKeys">Module keys absent from the checkpoint.</param>
        /// <param name="unexpectedKeys">Checkpoint keys the module does not have.</param>
        /// <param name="shapeMismatches">Keys present on both sides with different shapes.</param>
        /// <param name="source">The checkpoint, for the message (e.g. the quoted path); <c>null</c> says "The checkpoint".</param>
        public CheckpointMismatchException(
            IReadOnlyList<string> missingKeys, IReadOnlyList<string> unexpectedKeys, IReadOnlyList<ShapeMismatch> shapeMismatches, string? source)
            : base(Describe(missingKeys, unexpectedKeys, shapeMismatches, source))
        {
            MissingKeys = missingKeys;
            UnexpectedKeys = unexpectedKeys;
            ShapeMismatches = shapeMismatches;
        }

        /// <summary>Module keys absent from the checkpoint.</summary>
        public IReadOnlyList<string> MissingKeys { get; }

        /// <summary>Checkpoint keys the module does not have and that no skip rule recognises.</summary>
        public IReadOnlyList<string> UnexpectedKeys { get; }

        /// <summary>Keys present on both sides whose shapes differ.</summary>
        public IReadOnlyList<ShapeMismatch> ShapeMismatches { get; }

        private static string Describe(
            IReadOnlyList<string> missingKeys, IReadOnlyList<string> unexpectedKeys, IReadOnlyList<ShapeMismatch> shapeMismatches, string? source)
        {
            var message = new StringBuilder(source ?? "The checkpoint").Append(" does not match the module; nothing was loaded.");
            AppendKind(message, "Missing keys", missingKeys);
            AppendKind(message, "Unexpected keys", unexpectedKeys);
            AppendKind(message, "Shape mismatches", shapeMismatches.Select(mismatch => mismatch.ToString()).ToList());
            return message.ToString();
        }

        private static void AppendKind(StringBuilder message, string kind, IReadOnlyList<string> entries)
        {
            if (entries.Count == 0)
            {
                return;
            }

            message.Append(' ').Append(kind).Append(" (").Append(entries.Count).Append("): ");
            message.Append(string.Join(", ", entries.Take(KeysShownPerKind)));
            if (entries.Count > KeysShownPerKind)
            {
                message.Append(", … and ").Append(entries.Count - KeysShownPerKind).Append(" more");
            }

            message.Append('.');
        }
    }

    /// <summary>A key whose tensor has one shape in the checkpoint and another in the module.</summary>
    /// <param name="Key">The state_dict key.</param>
    /// <param name="CheckpointShape">Shape stored in the checkpoint.</param>
    /// <param name="ModuleShape">Shape the module expects.</param>
    public sealed record ShapeMismatch(string Key, long[] CheckpointShape, long[] ModuleShape)
    {
        /// <inheritdoc/>
        public override string ToString() =>
            $"{Key} (checkpoint [{string.Join(", ", CheckpointShape)}], module [{string.Join(", ", ModuleShape)}])";
    }
}
