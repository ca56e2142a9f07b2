using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using Unetr.Model.Training;
using Xunit;
using static TorchSharp.torch;

namespace Unetr.Tests.Training;

/// <summary>FlatAdamW as a TorchSharp optimizer: parameter groups, LR schedulers, closures, zero_grad and state dicts.</summary>
[Collection(TrainingCollection.Name)]
public sealed class FlatAdamWOptimizerContractTests
{
    [Fact]
    public void Two_parameter_groups_take_the_same_steps_as_TorchSharp_AdamW()
    {
        using var pair = TwinNetworks.Perceptrons();
        using var reference = optim.AdamW(Groups(pair.Reference));
        using var flat = new FlatAdamW(Groups(pair.Subject));

        TakeSteps(6, pair, reference, flat);

        Assert.Equal(6, flat.StepCount);
        Assert.True(pair.MaxParameterDifference() <= 1e-6, $"max |difference| {pair.MaxParameterDifference():E2}");
        Assert.True(pair.MaxDistanceFromStart() > 1e-3, "the steps moved the weights, so agreeing means something");
    }

    [Fact]
    public void AMSGrad_and_maximize_take_the_same_steps_as_TorchSharp_AdamW()
    {
        using var pair = TwinNetworks.Perceptrons();
        using var reference = optim.AdamW(Groups(pair.Reference, amsgrad: true, maximize: true));
        using var flat = new FlatAdamW(Groups(pair.Subject, amsgrad: true, maximize: true));

        TakeSteps(6, pair, reference, flat);

        Assert.True(pair.MaxParameterDifference() <= 1e-6, $"max |difference| {pair.MaxParameterDifference():E2}");
        Assert.True(pair.MaxDistanceFromStart() > 1e-3, "the steps moved the weights, so agreeing means something");
    }

    [Fact]
    public void StepLR_steps_every_group_through_its_decayed_learning_rates()
    {
        using var pair = TwinNetworks.Perceptrons();
        using var flat = new FlatAdamW(Groups(pair.Subject));
        var scheduler = optim.lr_scheduler.StepLR(flat, step_size: 2, gamma: 0.5);
        var seen = new List<double[]>();

        for (var step = 0; step < 5; step++)
        {
            seen.Add(flat.ParamGroups.Select(g => g.LearningRate).ToArray());
            flat.zero_grad();
            pair.Backward(pair.Subject);
            flat.step();
            scheduler.step();
        }

        var expected = new[]
        {
            new[] { 1e-2, 3e-3 },
            new[] { 1e-2, 3e-3 },
            new[] { 5e-3, 1.5e-3 },
            new[] { 5e-3, 1.5e-3 },
            new[] { 2.5e-3, 7.5e-4 },
        };
        Assert.Equal(expected.Length, seen.Count);
        foreach (var (want, got) in expected.Zip(seen))
        {
            Assert.Equal(want, got, (a, b) => Math.Abs(a - b) <= 1e-15);
        }
    }

    [Fact]
    public void A_LambdaLR_drives_FlatAdamW_as_it_drives_TorchSharp_AdamW()
    {
        using var pair = TwinNetworks.Perceptrons();
        using var reference = optim.AdamW(Groups(pair.Reference));
        using var flat = new FlatAdamW(Groups(pair.Subject));
        Func<int, double> warmup = epoch => (epoch + 1) / 4.0;
        var referenceSchedule = optim.lr_scheduler.LambdaLR(reference, warmup);
        var flatSchedule = optim.lr_scheduler.LambdaLR(flat, warmup);
        Assert.Equal(new[] { 2.5e-3, 7.5e-4 }, flat.ParamGroups.Select(g => g.LearningRate), (a, b) => Math.Abs(a - b) <= 1e-15);

        for (var step = 0; step < 5; step++)
        {
            TakeSteps(1, pair, reference, flat);
            referenceSchedule.step();
            flatSchedule.step();
        }

        Assert.Equal(new[] { 1.5e-2, 4.5e-3 }, flat.ParamGroups.Select(g => g.LearningRate), (a, b) => Math.Abs(a - b) <= 1e-15);
        Assert.True(pair.MaxParameterDifference() <= 1e-6, $"max |difference| {pair.MaxParameterDifference():E2}");
        Assert.True(pair.MaxDistanceFromStart() > 1e-3, "the steps moved the weights, so agreeing means something");
    }

    [Fact]
    public void OneCycleLR_cycles_learning_rate_and_beta1_as_on_TorchSharp_AdamW()
    {
        using var pair = TwinNetworks.Perceptrons();
        using var reference = optim.AdamW(Groups(pair.Reference));
        using var flat = new FlatAdamW(Groups(pair.Subject));
        var referenceSchedule = optim.lr_scheduler.OneCycleLR(reference, max_lr: 1e-2, total_steps: 10);
        var flatSchedule = optim.lr_scheduler.OneCycleLR(flat, max_lr: 1e-2, total_steps: 10);

        // Starts at max_lr / div_factor (25) with beta1 at max_momentum (0.95).
        Assert.Equal(4e-4, flat.ParamGroups.First().LearningRate, 12);
        Assert.Equal(0.95, ((optim.IBetas)flat.ParamGroups.First()).Betas.Item1, 12);
        for (var step = 0; step < 2; step++)
        {
            TakeSteps(1, pair, reference, flat);
            referenceSchedule.step();
            flatSchedule.step();
        }

        // The end of the warm-up phase (0.3 of 10 steps): max_lr, with beta1 at base_momentum (0.85).
        Assert.Equal(1e-2, flat.ParamGroups.First().LearningRate, 12);
        Assert.Equal(0.85, ((optim.IBetas)flat.ParamGroups.First()).Betas.Item1, 12);
        TakeSteps(2, pair, reference, flat);
        Assert.True(pair.MaxParameterDifference() <= 1e-6, $"max |difference| {pair.MaxParameterDifference():E2}");
        Assert.True(pair.MaxDistanceFromStart() > 1e-3, "the steps moved the weights, so agreeing means something");
    }

    [Fact]
    public void Step_evaluates_the_closure_and_returns_its_loss()
    {
        using var pair = TwinNetworks.Perceptrons();
        using var reference = optim.AdamW(pair.Reference.parameters(), lr: 1e-2, beta1: 0.9, beta2: 0.999, weight_decay: 0.05);
        using var flat = new FlatAdamW(pair.Subject.parameters(), 1e-2, weightDecay: 0.05);

        for (var step = 0; step < 3; step++)
        {
            using var scope = NewDisposeScope();
            reference.zero_grad();
            var expected = pair.Loss(pair.Reference);
            expected.backward();
            reference.step();

            var loss = flat.step(() =>
            {
                flat.zero_grad();
                var value = pair.Loss(pair.Subject);
                value.backward();
                return value;
            });

            Assert.NotNull(loss);
            Assert.Equal(expected.item<float>(), loss.item<float>(), 6);
        }

        Assert.True(pair.MaxParameterDifference() <= 1e-6, $"max |difference| {pair.MaxParameterDifference():E2}");
        Assert.True(pair.MaxDistanceFromStart() > 1e-3, "the steps moved the weights, so agreeing means something");
    }

    [Fact]
    public void Zero_grad_zeroes_its_own_gradients_in_place_and_no_others()
    {
        using var pair = TwinNetworks.Perceptrons();
        var weights = pair.Subject.parameters().Where(p => p.dim() > 1).ToArray();
        var others = pair.Subject.parameters().Where(p => p.dim() <= 1).ToArray();
        using var flat = new FlatAdamW(weights);
        pair.Backward(pair.Subject);
        var once = weights.Select(p => p.grad!.clone()).ToArray();
        var otherGradients = others.Select(p => p.grad!.clone()).ToArray();

        flat.zero_grad();

        Assert.All(weights, p => Assert.Equal(0f, p.grad!.abs().max().item<float>()));
        Assert.True(otherGradients.Max(g => g.abs().max().item<float>()) > 0, "the other parameters had gradients to keep");
        Assert.All(others.Zip(otherGradients), kept => Assert.True(Tensors.Identical(kept.First.grad!, kept.Second)));

        // The gradients stay bound to the buffer: a backward after zeroing gives the first gradients, not twice them.
        pair.Backward(pair.Subject);
        Assert.All(weights.Zip(once), again => Assert.True((again.First.grad! - again.Second).abs().max().item<float>() <= 1e-6));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void State_dict_loaded_into_a_fresh_optimizer_continues_identically(bool throughStream)
    {
        using var pair = TwinNetworks.Perceptrons();
        using var first = new FlatAdamW(Groups(pair.Subject, amsgrad: true));
        TakeSteps(3, pair, null, first);
        first.ParamGroups.First().LearningRate = 4e-3;

        using var resumedNetwork = pair.Copy(pair.Subject);
        using var freshNetwork = pair.Copy(pair.Subject);
        using var resumed = new FlatAdamW(Groups(resumedNetwork, amsgrad: true));
        using var fresh = new FlatAdamW(Groups(freshNetwork, amsgrad: true));
        if (throughStream)
        {
            using var stream = new MemoryStream();
            using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            {
                first.save_state_dict(writer);
            }

            stream.Position = 0;
            using var reader = new BinaryReader(stream);
            resumed.load_state_dict(reader);
        }
        else
        {
            resumed.load_state_dict(first.state_dict());
        }

        Assert.Equal(3, resumed.StepCount);
        Assert.Equal(4e-3, resumed.ParamGroups.First().LearningRate);
        for (var step = 0; step < 2; step++)
        {
            foreach (var (network, optimizer) in new[] { (pair.Subject, first), (resumedNetwork, resumed), (freshNetwork, fresh) })
            {
                optimizer.zero_grad();
                pair.Backward(network);
                optimizer.step();
            }
        }

        Assert.Equal(5, resumed.StepCount);
        var difference = TwinNetworks.MaxDifference(pair.Subject, resumedNetwork);
        Assert.True(difference <= 1e-6, $"max |difference| {difference:E2}");
        Assert.True(TwinNetworks.MaxDifference(pair.Subject, freshNetwork) > 1e-4, "without the saved state the steps differ");
    }

    [Fact]
    public void Continues_from_the_state_dict_of_TorchSharp_AdamW()
    {
        using var pair = TwinNetworks.Perceptrons();
        using var reference = optim.AdamW(Groups(pair.Reference));
        TakeSteps(3, pair, reference, null);
        pair.Subject.load_state_dict(pair.Reference.state_dict());
        using var flat = new FlatAdamW(Groups(pair.Subject));

        flat.load_state_dict(reference.state_dict());
        TakeSteps(2, pair, reference, flat);

        Assert.Equal(5, flat.StepCount);
        Assert.True(pair.MaxParameterDifference() <= 1e-6, $"max |difference| {pair.MaxParameterDifference():E2}");
    }

    [Fact]
    public void Rejects_a_parameter_in_two_groups_and_adding_a_group_later()
    {
        using var pair = TwinNetworks.Perceptrons();
        var parameters = pair.Subject.parameters().ToArray();

        var twice = Assert.Throws<ArgumentException>(() => new FlatAdamW(new[] { new AdamW.ParamGroup(parameters), new AdamW.ParamGroup(parameters.Take(1)) }));
        Assert.Contains("only one group", twice.Message);
        using var flat = new FlatAdamW(parameters.Skip(1));
        Assert.Throws<NotSupportedException>(() => flat.add_param_group(new AdamW.ParamGroup(parameters.Take(1))));
    }

    // Weights and the rest (biases, the norm) with different hyper-parameters, as fine-tuning recipes split them.
    private static AdamW.ParamGroup[] Groups(nn.Module network, bool amsgrad = false, bool maximize = false) => new[]
    {
        new AdamW.ParamGroup(network.parameters().Where(p => p.dim() > 1).ToArray(), lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.05, amsgrad: amsgrad),
        new AdamW.ParamGroup(network.parameters().Where(p => p.dim() <= 1).ToArray(), lr: 3e-3, beta1: 0.8, beta2: 0.99, eps: 1e-6, weight_decay: 0, maximize: maximize),
    };

    // Steps the reference optimizer on the reference network and FlatAdamW on the subject, from the same gradients.
    private static void TakeSteps(int count, TwinNetworks pair, optim.Optimizer? reference, FlatAdamW? flat)
    {
        for (var step = 0; step < count; step++)
        {
            if (reference is not null)
            {
                reference.zero_grad();
                pair.Backward(pair.Reference);
                reference.step();
            }

            if (flat is not null)
            {
                flat.zero_grad();
                pair.Backward(pair.Subject);
                flat.step();
            }
        }
    }
}
