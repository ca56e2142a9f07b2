using Unetr.CommandLine;
using Unetr.Model.Runtime;

namespace Unetr.Cli;

/// <summary>The <c>unetr</c> tool: the process-wide runtime settings, then the verbs of <see cref="UnetrCommandLine"/>.</summary>
public static class Program
{
    /// <summary>Parses <paramref name="args"/> and runs the chosen command.</summary>
    public static int Main(string[] args)
    {
        // Before anything loads libtorch (see OpenMpWaitPolicy: busy-waiting threads starve each other on shared cores),
        // and before the first large tensor (see NativeHeap: large tensors otherwise get fresh pages on every pass).
        OpenMpWaitPolicy.PreferPassive();
        NativeHeap.KeepFreedMemory();
        return UnetrCommandLine.Run(args);
    }
}
