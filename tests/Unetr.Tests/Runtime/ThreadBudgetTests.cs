using Unetr.Model.Presets;
using Unetr.Model.Runtime;
using Unetr.Tests.Training;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Runtime;

// Changes libtorch's thread count, which a thread's first libtorch call copies from the last one set, so it runs alone.
[Collection(TrainingCollection.Name)]
public sealed class ThreadBudgetTests
{
    [Fact]
    public void Small_token_work_runs_on_one_thread_and_the_count_comes_back()
    {
        WithThreads(2, () =>
        {
            using var tokens = zeros(1, 64, 192);   // 12,288 values
            using (var scope = ThreadBudget.ForTokens(tokens))
            {
                Assert.True(scope.SingleThreaded);
                Assert.Equal(1, get_num_threads());
            }

            Assert.Equal(2, get_num_threads());
        });
    }

    [Theory]
    [InlineData(2, 216, 768, 2)]   // the BTCV configuration's tokens: more than the limit
    [InlineData(1, 64, 192, 1)]    // already one thread
    public void Other_work_keeps_the_thread_count(int threads, long rows, long width, int expected)
    {
        WithThreads(threads, () =>
        {
            using var tokens = zeros(1, rows, width);
            using var scope = ThreadBudget.ForTokens(tokens);

            Assert.False(scope.SingleThreaded);
            Assert.Equal(expected, get_num_threads());
        });
    }

    [Fact]
    public void A_forward_pass_leaves_the_thread_count_as_it_found_it()
    {
        WithThreads(2, () =>
        {
            manual_seed(3);
            using var network = new TinyMonaiUnetr();
            network.eval();
            using var input = randn(new long[] { 1, 1, 32, 32, 32 });
            using (inference_mode())
            {
                using var output = network.call(input);
            }

            Assert.Equal(2, get_num_threads());
        });
    }

    private static void WithThreads(int threads, System.Action body)
    {
        var before = get_num_threads();
        set_num_threads(threads);
        try
        {
            body();
        }
        finally
        {
            set_num_threads(before);
        }
    }
}
