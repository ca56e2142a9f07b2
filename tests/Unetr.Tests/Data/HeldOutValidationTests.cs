using System;
using System.Linq;
using Unetr.Model.Data.Sources;
using Xunit;

namespace Unetr.Tests.Data;

public sealed class HeldOutValidationTests
{
    private static readonly string[] Items = Enumerable.Range(0, 10).Select(i => $"case{i}").ToArray();

    [Fact]
    public void Same_seed_holds_out_the_same_items_in_list_order()
    {
        var first = HeldOutValidation.Split(Items, 0.2, seed: 7);
        var second = HeldOutValidation.Split(Items, 0.2, seed: 7);

        Assert.Equal(first.Validation, second.Validation);
        Assert.Equal(first.Training, second.Training);
        Assert.Equal(2, first.Validation.Count);
        Assert.Equal(Items.Order(StringComparer.Ordinal), first.Training.Concat(first.Validation).Order(StringComparer.Ordinal));
        Assert.Equal(first.Training.OrderBy(item => Array.IndexOf(Items, item)), first.Training);
        Assert.Equal(first.Validation.OrderBy(item => Array.IndexOf(Items, item)), first.Validation);
    }

    [Fact]
    public void Other_seeds_hold_out_other_items()
    {
        var held = Enumerable.Range(0, 6).Select(seed => string.Join(",", HeldOutValidation.Split(Items, 0.2, seed).Validation)).ToArray();

        Assert.True(held.Distinct().Count() >= 4, string.Join(" | ", held));
    }

    [Theory]
    [InlineData(0.2, 10, 2)]
    [InlineData(0.25, 10, 3)]
    [InlineData(0.2, 2, 1)]
    [InlineData(0.99, 3, 2)]
    [InlineData(0.01, 3, 1)]
    public void Holds_out_the_rounded_fraction_keeping_at_least_one_of_each(double fraction, int count, int expected)
    {
        var (training, validation) = HeldOutValidation.Split(Items.Take(count).ToArray(), fraction, seed: 0);

        Assert.Equal(expected, validation.Count);
        Assert.Equal(count - expected, training.Count);
    }

    [Fact]
    public void One_item_cannot_be_split()
    {
        var error = Assert.Throws<ArgumentException>(() => HeldOutValidation.Split(Items.Take(1).ToArray(), 0.2, 0));

        Assert.Contains("needs at least 2 training volumes; got 1", error.Message);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Fraction_outside_zero_to_one_is_refused(double fraction)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => HeldOutValidation.Split(Items, fraction, 0));
    }
}
