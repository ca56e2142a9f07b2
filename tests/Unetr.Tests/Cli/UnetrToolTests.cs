using System;
using Unetr.Model.Presets;
using Xunit;

namespace Unetr.Tests.Cli;

/// <summary>The <c>unetr</c> executable as a user runs it: the host passes the command line to the verbs and their exit code back.</summary>
public sealed class UnetrToolTests
{
    [Fact]
    public void Summary_prints_the_presets_compile_time_table_and_exits_with_zero()
    {
        var (exitCode, output, error) = BuiltTool.Run("unetr", "summary", nameof(TinyMonaiUnetr));

        Assert.True(exitCode == 0, $"exit {exitCode}\n{error}");
        Assert.Equal(TinyMonaiUnetr.Summary + Environment.NewLine, output);
    }

    [Fact]
    public void An_unknown_preset_is_named_on_standard_error_with_exit_code_two()
    {
        var (exitCode, output, error) = BuiltTool.Run("unetr", "summary", "NoSuchNet");

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        Assert.StartsWith("Unknown model 'NoSuchNet'; expected one of: ", error, StringComparison.Ordinal);
    }
}
