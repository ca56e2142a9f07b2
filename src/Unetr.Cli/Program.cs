using Unetr.CommandLine;
using Unetr.Model.Runtime;

namespace Unetr.Cli;

/// <summary>The <c>unetr</c> tool: the process-wide runtime settings, then the verbs of <see cref="UnetrCommandLine"/>.</summary>
public static class Program
{
    /// <summary>Parses <paramref name="args"/> and runs the chosen command.</summary>
    public static int Main(string[] args)
    {
        // Before anything loads libtorch: the OpenMP runtime reads its wait policy once, at load; the C heap keeps freed
        // pages for the large tensors of the next pass (see UnetrRuntime).
        UnetrRuntime.Configure();
        return UnetrCommandLine.Run(args);
    }
}
