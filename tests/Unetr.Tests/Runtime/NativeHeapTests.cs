using System;
using System.Globalization;
using System.IO;
using Unetr.Model.Runtime;
using Unetr.Tests.Training;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Runtime;

// In the collection that runs alone: the page-fault count is the whole process's.
[Collection(TrainingCollection.Name)]
public sealed class NativeHeapTests
{
    [Fact]
    public void A_large_tensor_allocated_again_reuses_the_pages_of_the_one_freed_before()
    {
        NativeHeap.KeepFreedMemory();

        // 48 MiB: above glibc's largest mmap threshold (32 MiB), so by default every such tensor is a fresh mapping.
        const long Size = 48L << 20;
        using (ones(new long[] { Size }, ScalarType.Byte))
        {
        }

        var before = MinorPageFaults();
        using (ones(new long[] { Size }, ScalarType.Byte))
        {
        }

        var faults = MinorPageFaults() - before;
        var pages = Size / Environment.SystemPageSize;
        Assert.True(faults < pages / 10, $"filling a second {Size >> 20} MiB tensor took {faults} page faults ({pages} pages)");
    }

    [Fact]
    public void An_explicit_choice_in_the_environment_wins()
    {
        var previous = Environment.GetEnvironmentVariable("MALLOC_MMAP_MAX_");
        try
        {
            Environment.SetEnvironmentVariable("MALLOC_MMAP_MAX_", "65536");

            Assert.Equal("MALLOC_MMAP_MAX_=65536 (from the environment)", NativeHeap.KeepFreedMemory());
        }
        finally
        {
            Environment.SetEnvironmentVariable("MALLOC_MMAP_MAX_", previous);
        }
    }

    // Field 10 of /proc/self/stat (minflt), counted after the command name, which is in parentheses.
    private static long MinorPageFaults()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[7], CultureInfo.InvariantCulture);
    }
}
