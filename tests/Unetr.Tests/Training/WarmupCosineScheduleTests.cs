using System;
using Unetr.Model.Training;
using Xunit;

namespace Unetr.Tests.Training;

public sealed class WarmupCosineScheduleTests
{
    private static readonly WarmupCosineSchedule Schedule = new(baseLearningRate: 1e-3, warmupSteps: 10, totalSteps: 110);

    [Theory]
    [InlineData(0, 1e-4)]
    [InlineData(4, 5e-4)]
    [InlineData(9, 1e-3)]
    public void Warms_up_linearly_reaching_the_base_rate_on_the_last_warmup_step(int step, double expected)
    {
        Assert.Equal(expected, Schedule.LearningRate(step), 15);
    }

    [Theory]
    [InlineData(10, 1e-3)]
    [InlineData(35, 0.5e-3 * 1.7071067811865475)] // a quarter through the cosine: (1 + cos(π/4)) / 2
    [InlineData(60, 0.5e-3)] // half-way
    [InlineData(110, 0.0)]
    [InlineData(500, 0.0)]
    public void Decays_along_a_half_cosine_after_the_warmup(int step, double expected)
    {
        Assert.Equal(expected, Schedule.LearningRate(step), 15);
    }

    [Fact]
    public void Decays_to_the_minimum_rate_when_one_is_given()
    {
        var schedule = new WarmupCosineSchedule(1e-3, 10, 110, minimumLearningRate: 1e-4);

        Assert.Equal(1e-4 + 0.9e-3 / 2, schedule.LearningRate(60), 15);
        Assert.Equal(1e-4, schedule.LearningRate(110), 15);
    }

    [Fact]
    public void Starts_at_the_base_rate_without_warmup()
    {
        Assert.Equal(1e-3, new WarmupCosineSchedule(1e-3, 0, 100).LearningRate(0), 15);
    }

    [Fact]
    public void Rejects_a_warmup_as_long_as_the_run()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new WarmupCosineSchedule(1e-3, 100, 100));
        Assert.Contains("fewer than the 100 total steps", error.Message);
    }
}
