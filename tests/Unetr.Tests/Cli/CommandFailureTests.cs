using System;
using System.IO;
using Unetr.CommandLine;
using Unetr.Tests.Training;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Cli;

/// <summary>How a command reports an error raised inside libtorch: one line with the operation and the sizes.</summary>
[Collection(TrainingCollection.Name)]
public sealed class CommandFailureTests
{
    [Fact]
    public void A_libtorch_error_is_one_line_naming_the_operation_and_the_sizes()
    {
        var (exitCode, error) = ReportOf(() =>
        {
            using var volume = zeros(new long[] { 2, 3 });
            using var reshaped = volume.reshape(4, 5);
            return 0;
        });

        Assert.Equal(CommandFailure.ExitCode, exitCode);
        var line = Assert.Single(error.TrimEnd().Split('\n'));
        Assert.StartsWith("libtorch failed in Tensor.reshape: ", line);
        Assert.Contains("[4, 5]", line);
        Assert.Contains("size 6", line);
        Assert.EndsWith($"(set {CommandFailure.TraceVariable}=1 for the full trace)", line);
    }

    [Fact]
    public void A_missing_file_is_its_message_alone()
    {
        var (exitCode, error) = ReportOf(() => throw new FileNotFoundException("No weights at 'x.pt' (--weights)."));

        Assert.Equal(CommandFailure.ExitCode, exitCode);
        Assert.Equal("No weights at 'x.pt' (--weights).", error.Trim());
    }

    private static (int ExitCode, string Error) ReportOf(Func<int> command)
    {
        var error = new StringWriter();
        var previous = Console.Error;
        Console.SetError(error);
        try
        {
            return (CommandFailure.Report(command), error.ToString());
        }
        finally
        {
            Console.SetError(previous);
        }
    }
}
