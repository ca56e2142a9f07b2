using Unetr.Measurement.Memory;
using Unetr.Tests.Training;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Memory;

// In the collection that runs alone: other tests allocating native memory at the same time would move the account.
[Collection(TrainingCollection.Name)]
public sealed class CHeapAccountTests
{
    [Fact]
    public void The_C_heap_account_sees_a_tensor_allocated_and_freed()
    {
        // Load libtorch and let it set up its allocations before the measurement.
        using (ones(new long[] { 16 }))
        {
        }

        const long Size = 16L << 20;
        var before = MallInfo.BytesInUse();
        Assert.NotNull(before);
        long during;
        using (ones(new long[] { Size }, ScalarType.Byte))
        {
            during = MallInfo.BytesInUse()!.Value - before.Value;
        }

        var after = MallInfo.BytesInUse()!.Value - before.Value;
        // Finalizers of earlier tests may free a little memory meanwhile; the tensor itself is 16 MiB.
        Assert.InRange(during, Size - (4L << 20), Size + (4L << 20));
        Assert.InRange(after, -(4L << 20), 4L << 20);
    }
}
