using System;
using System.CommandLine;
using System.Globalization;
using System.Numerics;

namespace Unetr.CommandLine;

/// <summary>
/// Validators every command uses, so that a bad value is worded the same everywhere:
/// "<c>--name must be what it must be; got value.</c>", reported by System.CommandLine before the command runs.
/// </summary>
internal static class OptionRules
{
    /// <summary>Requires a positive, finite number.</summary>
    public static Option<T> Positive<T>(Option<T> option)
        where T : struct, INumber<T> =>
        Require(option, value => value > T.Zero && T.IsFinite(value), "a positive number");

    /// <summary>Requires zero or a positive, finite number.</summary>
    public static Option<T> NotNegative<T>(Option<T> option)
        where T : struct, INumber<T> =>
        Require(option, value => value >= T.Zero && T.IsFinite(value), "zero or more");

    /// <summary>Requires a comma-separated list of <paramref name="count"/> numbers that <paramref name="isValid"/> accepts, e.g. "1.5,1.5,2".</summary>
    public static Option<string?> Numbers(Option<string?> option, int count, Func<double[], bool> isValid, string expected) =>
        Require(option, text => ParseNumbers(text, count) is { } values && isValid(values), expected);

    /// <summary>Adds a validator: when the option has a value that <paramref name="isValid"/> refuses, the error names the option, <paramref name="expected"/> and the value.</summary>
    /// <param name="option">The option; an absent nullable value is not checked.</param>
    /// <param name="isValid">Whether a value is acceptable.</param>
    /// <param name="expected">What a valid value is, completing "--name must be …".</param>
    public static Option<T> Require<T>(Option<T> option, Func<T, bool> isValid, string expected)
    {
        option.Validators.Add(result =>
        {
            if (result.GetValue(option) is { } value && !isValid(value))
            {
                var shown = value is string text ? $"'{text}'" : Convert.ToString(value, CultureInfo.InvariantCulture);
                result.AddError($"{option.Name} must be {expected}; got {shown}.");
            }
        });
        return option;
    }

    /// <summary>The numbers of a comma-separated list, or <c>null</c> when <paramref name="text"/> is null, not <paramref name="count"/> finite numbers.</summary>
    public static double[]? ParseNumbers(string? text, int count)
    {
        if (text is null)
        {
            return null;
        }

        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new double[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !double.IsFinite(values[i]))
            {
                return null;
            }
        }

        return values.Length == count ? values : null;
    }
}
