using System;
using System.Collections.Generic;
using System.Linq;

namespace Unetr.Model.Checkpoints
{
    /// <summary>
    /// Keys that real UNETR checkpoints carry for modules UNETR creates but never calls. Each rule applies only
    /// to a key the module does not have.
    /// </summary>
    internal static class UnusedKeyRules
    {
        private const string CrossAttentionReason =
            "MONAI 1.4+ creates cross-attention in every transformer block; UNETR never calls it.";

        private const string ClassTokenReason =
            "MONAI 0.7 created a classification token; UNETR segments and never uses it.";

        private const string StaleShortcutReason =
            "MONAI 0.7 created a 1x1 shortcut in residual blocks whose channels do not change; it was never called.";

        /// <summary>Why <paramref name="key"/> may be skipped, or null when it is genuinely unexpected.</summary>
        /// <param name="key">A checkpoint key absent from the module.</param>
        /// <param name="moduleKeys">All keys of the module.</param>
        public static string? ReasonToSkip(string key, IReadOnlySet<string> moduleKeys)
        {
            var segments = key.Split('.');
            if (segments.Any(segment => segment is "cross_attn" or "norm_cross_attn"))
            {
                return CrossAttentionReason;
            }

            if (segments.Length >= 2 && segments[^2] == "patch_embedding" && segments[^1] == "cls_token")
            {
                return ClassTokenReason;
            }

            var shortcut = Array.FindLastIndex(segments, segment => segment is "conv3" or "norm3");
            if (shortcut >= 0)
            {
                var block = string.Concat(segments.Take(shortcut).Select(segment => segment + "."));
                if (moduleKeys.Contains(block + "conv1.conv.weight") && !moduleKeys.Contains(block + "conv3.conv.weight"))
                {
                    return StaleShortcutReason;
                }
            }

            return null;
        }
    }
}
