using System.IO;
using System.IO.MemoryMappedFiles;
using Unetr.Measurement.Memory;
using Xunit;

namespace Unetr.Tests.Memory;

/// <summary>Reads the whole process's resident memory, so it runs while no other test allocates.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ResidentMemoryCollection
{
    public const string Name = "Resident memory";
}

[Collection(ResidentMemoryCollection.Name)]
public sealed class ResidentMemoryTests
{
    [Fact]
    public void Peak_reset_forgets_a_peak_that_was_freed()
    {
        if (!File.Exists(ResidentMemory.ClearRefsFile))
        {
            Assert.False(ResidentMemory.ResetPeak());
            return;
        }

        // 400 MB of an anonymous mapping, written and unmapped: resident memory falls back (whatever the C heap's
        // settings), the peak stays up until reset.
        const long size = 400L << 20;
        using (var mapping = MemoryMappedFile.CreateNew(null, size))
        using (var view = mapping.CreateViewAccessor(0, size))
        {
            for (long offset = 0; offset < size; offset += 4096)
            {
                view.Write(offset, (byte)1);
            }

            Assert.Equal(1, view.ReadByte(size - 4096));
        }

        var peakBefore = ResidentMemory.Read("VmHWM");
        Assert.True(ResidentMemory.ResetPeak());
        var peakAfter = ResidentMemory.Read("VmHWM");

        Assert.True(peakAfter <= peakBefore - (300L << 20), $"the peak after the reset ({peakAfter >> 20} MiB) is not 300 MiB below the one before ({peakBefore >> 20} MiB)");
    }
}
