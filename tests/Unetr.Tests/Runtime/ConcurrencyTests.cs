using System;
using System.Linq;
using System.Threading;
using Unetr.Model.Presets;
using Unetr.Tests.Runtime.Variants;
using Unetr.Tests.Training;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Runtime;

// Builds networks from libtorch's global generator, so it runs alone.
[Collection(TrainingCollection.Name)]
public sealed class ConcurrencyTests
{
    private const int Passes = 50;

    // libtorch's OpenMP thread count (what get_num_threads reads and ThreadBudget lowers) belongs to the calling OS
    // thread once that thread has made its first libtorch call; that first call copies the count set last anywhere in
    // the process (ATen's lazy_init_num_threads).
    [Fact]
    public void Libtorchs_thread_count_belongs_to_the_calling_thread()
    {
        using var firstSet = new ManualResetEventSlim();
        using var secondSet = new ManualResetEventSlim();
        int firstReads = 0, secondReads = 0, laterReads = 0;
        var first = new Thread(() =>
        {
            get_num_threads();
            set_num_threads(3);
            firstSet.Set();
            secondSet.Wait();
            firstReads = get_num_threads();
        });
        var second = new Thread(() =>
        {
            get_num_threads();
            firstSet.Wait();
            set_num_threads(5);
            secondReads = get_num_threads();
            secondSet.Set();
        });

        first.Start();
        second.Start();
        first.Join();
        second.Join();
        var later = new Thread(() => laterReads = get_num_threads());
        later.Start();
        later.Join();

        Assert.Equal(3, firstReads);
        Assert.Equal(5, secondReads);
        Assert.Equal(5, laterReads);
    }

    // Two different networks, each with the token fast path (ThreadBudget lowers the calling thread's count around
    // its transformer) and the oneDNN routes, forwarded from two threads at once give what they give alone.
    [Fact]
    public void Two_networks_forwarded_from_two_threads_at_once_give_their_outputs_alone()
    {
        manual_seed(21);
        using var monai = new TinyMonaiUnetr();
        using var seed = new SeedPatch8NonCubic();
        monai.eval();
        seed.eval();
        using var monaiInput = randn(new long[] { 1, 1, 32, 32, 32 });
        using var seedInput = randn(new long[] { 1, 2, 16, 16, 32 });
        Func<Tensor> monaiPass = () => monai.call(monaiInput);
        Func<Tensor> seedPass = () => seed.call(seedInput);

        using var monaiAlone = OnOwnThread(() => Forward(monaiPass, 1)[0]);
        using var seedAlone = OnOwnThread(() => Forward(seedPass, 1)[0]);

        Tensor[] monaiTogether = Array.Empty<Tensor>(), seedTogether = Array.Empty<Tensor>();
        var monaiThread = new Thread(() => monaiTogether = Forward(monaiPass, Passes));
        var seedThread = new Thread(() => seedTogether = Forward(seedPass, Passes));
        monaiThread.Start();
        seedThread.Start();
        monaiThread.Join();
        seedThread.Join();

        try
        {
            Assert.Equal(Passes, monaiTogether.Length);
            Assert.Equal(Passes, seedTogether.Length);
            Assert.All(monaiTogether, output => AssertClose(monaiAlone, output));
            Assert.All(seedTogether, output => AssertClose(seedAlone, output));
        }
        finally
        {
            foreach (var output in monaiTogether.Concat(seedTogether))
            {
                output.Dispose();
            }
        }
    }

    // Two libtorch threads, so that ThreadBudget has a count to lower on this thread while the other thread runs. Grad
    // mode is per thread in libtorch, so each thread opens its own inference mode; each pass's intermediates go with
    // its scope.
    private static Tensor[] Forward(Func<Tensor> pass, int passes)
    {
        set_num_threads(2);
        using var inference = inference_mode();
        return Enumerable.Range(0, passes).Select(_ =>
        {
            using var scope = NewDisposeScope();
            return pass().MoveToOuterDisposeScope();
        }).ToArray();
    }

    private static Tensor OnOwnThread(Func<Tensor> body)
    {
        Tensor? result = null;
        var thread = new Thread(() => result = body());
        thread.Start();
        thread.Join();
        return result!;
    }

    private static void AssertClose(Tensor expected, Tensor actual)
    {
        var difference = (expected - actual).abs().max().item<float>();
        Assert.True(difference <= 1e-6f, $"an output differs by {difference:E2} from the network's output alone");
    }
}
