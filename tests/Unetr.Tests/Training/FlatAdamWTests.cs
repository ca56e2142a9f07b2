using System;
using System.IO;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using Unetr.Model.Runtime;
using Unetr.Model.Training;
using Unetr.Tests.Generator;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Training;

[Collection(TrainingCollection.Name)]
public sealed class FlatAdamWTests
{
    private const double LearningRate = 1e-2;
    private const double WeightDecay = 0.05;

    [Fact]
    public void Takes_the_same_steps_as_TorchSharp_AdamW_with_PyTorch_betas()
    {
        using var pair = new TwinNetworks();
        using var reference = optim.AdamW(pair.Reference.parameters(), lr: LearningRate, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: WeightDecay);
        using var flat = new FlatAdamW(pair.Subject.parameters(), LearningRate, 0.9, 0.999, 1e-8, WeightDecay);

        for (var step = 0; step < 6; step++)
        {
            // A schedule changes the rate between steps.
            var rate = LearningRate / (step + 1);
            reference.ParamGroups.Single().LearningRate = rate;
            flat.ParamGroups.Single().LearningRate = rate;
            reference.zero_grad();
            flat.zero_grad();
            pair.Backward();
            reference.step();
            flat.step();
        }

        Assert.Equal(6, flat.StepCount);
        Assert.True(pair.MaxParameterDifference() <= 1e-6, $"max |difference| {pair.MaxParameterDifference():E2}");
        Assert.True(pair.MaxDistanceFromStart() > 1e-3, "the steps moved the weights, so agreeing means something");
    }

    [Fact]
    public void Gradients_accumulate_into_the_flat_buffer_and_zero_grad_clears_them()
    {
        using var pair = new TwinNetworks();
        using var flat = new FlatAdamW(pair.Subject.parameters(), LearningRate);

        pair.Backward();
        var first = pair.Subject.parameters().Select(p => p.grad!.clone()).ToArray();
        pair.Backward();

        foreach (var (parameter, once) in pair.Subject.parameters().Zip(first))
        {
            Assert.True((parameter.grad! - 2 * once).abs().max().item<float>() <= 1e-5, "a second backward adds to the gradient, as PyTorch does");
        }

        flat.zero_grad();
        Assert.All(pair.Subject.parameters(), p => Assert.Equal(0f, p.grad!.abs().max().item<float>()));
    }

    [Fact]
    public void A_replaced_gradient_is_taken_into_the_buffer_before_the_step()
    {
        using var pair = new TwinNetworks();
        using var reference = optim.AdamW(pair.Reference.parameters(), lr: LearningRate, beta1: 0.9, beta2: 0.999, weight_decay: WeightDecay);
        using var flat = new FlatAdamW(pair.Subject.parameters(), LearningRate, weightDecay: WeightDecay);
        pair.Backward();

        // Someone assigns gradients directly, as a hook or gradient surgery would.
        foreach (var (a, b) in pair.Reference.parameters().Zip(pair.Subject.parameters()))
        {
            var replacement = full_like(a, 0.25);
            a.grad = replacement;
            b.grad = replacement.clone();
        }

        reference.step();
        flat.step();

        Assert.True(pair.MaxParameterDifference() <= 1e-6, $"max |difference| {pair.MaxParameterDifference():E2}");
    }

    [Fact]
    public void Follows_parameters_converted_to_channels_last_after_it_was_built()
    {
        using var pair = new TwinNetworks();
        using var reference = optim.AdamW(pair.Reference.parameters(), lr: LearningRate, beta1: 0.9, beta2: 0.999, weight_decay: WeightDecay);
        using var flat = new FlatAdamW(pair.Subject.parameters(), LearningRate, weightDecay: WeightDecay);
        for (var step = 0; step < 5; step++)
        {
            if (step == 2)
            {
                // Both change layout, so both compute the same forward; the moments must follow the new layout.
                ChannelsLast.Convert(pair.Reference);
                ChannelsLast.Convert(pair.Subject);
            }

            reference.zero_grad();
            flat.zero_grad();
            pair.Backward();
            reference.step();
            flat.step();
        }

        Assert.Contains(pair.Subject.parameters(), ChannelsLast.Is);
        Assert.All(pair.Subject.parameters().Where(p => p.dim() == 5), p => Assert.True(ChannelsLast.Is(p)));
        Assert.True(pair.MaxParameterDifference() <= 1e-6, $"max |difference| {pair.MaxParameterDifference():E2}");
    }

    [Fact]
    public void Clipping_matches_clip_grad_norm()
    {
        using var pair = new TwinNetworks();
        using var flat = new FlatAdamW(pair.Subject.parameters(), LearningRate);
        pair.Backward();
        var expected = nn.utils.clip_grad_norm_(pair.Reference.parameters(), 0.01);

        var norm = flat.ClipGradNorm(0.01);

        Assert.Equal(expected, norm, 4);
        Assert.True(norm > 0.01, "the gradient was large enough to be clipped");
        foreach (var (a, b) in pair.Reference.parameters().Zip(pair.Subject.parameters()))
        {
            Assert.True((a.grad! - b.grad!).abs().max().item<float>() <= 1e-7);
        }
    }

    [Fact]
    public void Saved_state_resumes_the_same_steps_across_memory_layouts()
    {
        using var pair = new TwinNetworks();
        ChannelsLast.Convert(pair.Subject);
        using var first = new FlatAdamW(pair.Subject.parameters(), LearningRate, weightDecay: WeightDecay);
        for (var step = 0; step < 3; step++)
        {
            first.zero_grad();
            pair.Backward(pair.Subject);
            first.step();
        }

        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            first.SaveState(writer);
        }

        // The state goes to a row-major copy of the channels-last network, and to another copy with fresh moments.
        using var resumedNetwork = new OtherTinyNet();
        resumedNetwork.load_state_dict(pair.Subject.state_dict());
        using var freshNetwork = new OtherTinyNet();
        freshNetwork.load_state_dict(pair.Subject.state_dict());
        using var resumed = new FlatAdamW(resumedNetwork.parameters(), LearningRate, weightDecay: WeightDecay);
        using var fresh = new FlatAdamW(freshNetwork.parameters(), LearningRate, weightDecay: WeightDecay);
        stream.Position = 0;
        using (var reader = new BinaryReader(stream))
        {
            resumed.LoadState(reader, "memory");
        }

        // The same gradients everywhere, so that the three updates differ only by the optimizer's state.
        manual_seed(3);
        foreach (var ((a, b), c) in pair.Subject.parameters().Zip(resumedNetwork.parameters()).Zip(freshNetwork.parameters()))
        {
            var gradient = randn(a.shape);
            a.grad = gradient;
            b.grad = gradient.clone();
            c.grad = gradient.clone();
        }

        first.step();
        resumed.step();
        fresh.step();

        Assert.Equal(4, resumed.StepCount);
        var difference = TwinNetworks.MaxDifference(pair.Subject, resumedNetwork);
        Assert.True(difference <= 1e-6, $"max |difference| {difference:E2}");
        Assert.True(TwinNetworks.MaxDifference(pair.Subject, freshNetwork) > 1e-4, "without the saved moments the step differs");
    }

    [Fact]
    public void Saved_state_keeps_AMSGrad_maxima_which_an_optimizer_without_AMSGrad_refuses()
    {
        // beta2 0.5: the second moment halves at each small gradient, so it falls well below its maximum.
        using var pair = TwinNetworks.Perceptrons();
        using var first = new FlatAdamW(pair.Subject.parameters(), LearningRate, beta2: 0.5, amsgrad: true);
        foreach (var scale in new[] { 30f, 0.1f, 0.1f })
        {
            SetGradients(scale, pair.Subject);
            first.step();
        }

        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            first.SaveState(writer);
        }

        using var resumedNetwork = pair.Copy(pair.Subject);
        using var resumed = new FlatAdamW(resumedNetwork.parameters(), LearningRate, beta2: 0.5, amsgrad: true);
        stream.Position = 0;
        using (var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            resumed.LoadState(reader, "memory");
        }

        var saved = (FlatAdamW.State)first.state_dict().State[0];
        var loaded = (FlatAdamW.State)resumed.state_dict().State[0];
        Assert.True(Tensors.Identical(saved.MaxExpAvgSq!, loaded.MaxExpAvgSq!));
        Assert.True((saved.MaxExpAvgSq! - 2 * saved.ExpAvgSq).min().item<float>() > 0, "the maxima are more than twice the second moment");
        for (var step = 0; step < 2; step++)
        {
            SetGradients(0.1f, pair.Subject, resumedNetwork);
            first.step();
            resumed.step();
        }

        var difference = TwinNetworks.MaxDifference(pair.Subject, resumedNetwork);
        Assert.True(difference <= 1e-6, $"max |difference| {difference:E2}");

        using var plainNetwork = pair.Copy(pair.Subject);
        using var plain = new FlatAdamW(plainNetwork.parameters(), LearningRate);
        stream.Position = 0;
        using var again = new BinaryReader(stream);
        var error = Assert.Throws<InvalidDataException>(() => plain.LoadState(again, "amsgrad.ckpt"));
        Assert.Contains("AMSGrad", error.Message);
    }

    [Fact]
    public void Loads_the_state_that_checkpoints_of_the_previous_version_hold()
    {
        // Written by FlatAdamW before it became a TorchSharp optimizer; Fixtures/README.md gives the recipe.
        var path = RepositoryFiles.PathOf("tests", "Unetr.Tests", "Training", "Fixtures", "flat-adamw-state-v2.bin");
        using var referenceNetwork = TwinNetworks.Perceptron();
        using var reference = optim.AdamW(referenceNetwork.parameters(), lr: 1e-2, beta1: 0.9, beta2: 0.999, weight_decay: 0.05);
        for (var step = 0; step < 2; step++)
        {
            manual_seed(5 + step);
            foreach (var parameter in referenceNetwork.parameters())
            {
                parameter.grad = randn(parameter.shape);
            }

            reference.step();
        }

        using var network = TwinNetworks.Perceptron();
        using var flat = new FlatAdamW(network.parameters(), 1e-2, weightDecay: 0.05);
        using (var reader = new BinaryReader(File.OpenRead(path)))
        {
            flat.LoadState(reader, path);
        }

        Assert.Equal(2, flat.StepCount);
        var expected = reference.state_dict().State.Cast<AdamW.State>().ToArray();
        var loaded = flat.state_dict().State.Cast<FlatAdamW.State>().ToArray();
        Assert.Equal(expected.Length, loaded.Length);
        foreach (var (want, got) in expected.Zip(loaded))
        {
            Assert.True((want.exp_avg - got.ExpAvg).abs().max().item<float>() <= 1e-6);
            Assert.True((want.exp_avg_sq - got.ExpAvgSq).abs().max().item<float>() <= 1e-6);
            Assert.True(want.exp_avg_sq.min().item<float>() > 0, "the moments are not zero, so agreeing means something");
        }
    }

    [Fact]
    public void Refuses_state_for_another_number_of_parameters()
    {
        using var small = new OtherTinyNet();
        using var large = new TrainableTinyNet();
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        using (var optimizer = new FlatAdamW(small.parameters()))
        {
            optimizer.SaveState(writer);
        }

        stream.Position = 0;
        using var other = new FlatAdamW(large.parameters());
        using var reader = new BinaryReader(stream);
        var error = Assert.Throws<InvalidDataException>(() => other.LoadState(reader, "small.ckpt"));
        Assert.Contains("small.ckpt", error.Message);
        Assert.Contains($"{other.Count:N0}", error.Message);
    }

    [Fact]
    public void Rejects_parameters_of_mixed_dtypes_and_hyper_parameters_out_of_range()
    {
        using var single = new Parameter(zeros(3));
        using var twice = new Parameter(zeros(3, dtype: float64));

        var mixed = Assert.Throws<ArgumentException>(() => new FlatAdamW(new[] { single, twice }));
        Assert.Contains("Float64", mixed.Message);
        var none = Assert.Throws<ArgumentException>(() => new FlatAdamW(Array.Empty<Parameter>()));
        Assert.Contains("at least one parameter", none.Message);
        var beta = Assert.Throws<ArgumentException>(() => new FlatAdamW(new[] { single }, beta2: 1.0));
        Assert.Contains("[0, 1)", beta.Message);
        Assert.Equal("beta2", beta.ParamName);
    }

    // The same seeded random gradients, times scale, on each network's parameters.
    private static void SetGradients(float scale, params nn.Module[] networks)
    {
        foreach (var network in networks)
        {
            // The parameter keeps its gradient (the optimizer copies it into its buffer); the scope frees the temporaries.
            using var scope = NewDisposeScope();
            manual_seed(5);
            foreach (var parameter in network.parameters())
            {
                parameter.grad = scale * randn(parameter.shape);
            }
        }
    }
}
