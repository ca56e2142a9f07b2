using System;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Unetr.Model.Training;
using ValidationResult = Unetr.Model.Training.ValidationResult;

namespace Unetr.CommandLine;

/// <summary>
/// Shows how training goes. On an interactive terminal: a live progress bar with the step, loss, last validation Dice,
/// steps per second and the time left, and validation lines printed above it. Otherwise (output redirected, as in CI and
/// tests): plain log lines, one every <c>logEvery</c> steps, that read well in a file.
/// </summary>
internal sealed class TrainingProgress
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private readonly long totalSteps;
    private readonly long firstStep;
    private readonly int logEvery;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private ProgressTask? bar;
    private double? lastLoss;
    private double? lastDice;

    /// <summary>Creates the display for a run from <paramref name="firstStep"/> (a resumed run's step) to <paramref name="totalSteps"/>.</summary>
    /// <param name="totalSteps">The step training ends at.</param>
    /// <param name="firstStep">Steps already done before this run.</param>
    /// <param name="logEvery">In plain mode, print every this many steps.</param>
    /// <param name="interactive">Whether to draw a live bar; <see cref="IsTerminal"/> says whether the console can show one.</param>
    public TrainingProgress(long totalSteps, long firstStep, int logEvery, bool interactive)
    {
        this.totalSteps = totalSteps;
        this.firstStep = firstStep;
        this.logEvery = logEvery;
        Interactive = interactive;
    }

    /// <summary>Whether standard output is a terminal that can show a live display (not redirected to a file or pipe).</summary>
    public static bool IsTerminal => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Whether a live bar is drawn.</summary>
    public bool Interactive { get; }

    /// <summary>Runs <paramref name="train"/> with the display up; the bar stays on screen afterwards.</summary>
    public T Run<T>(Func<T> train)
    {
        if (!Interactive)
        {
            return train();
        }

        return AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                bar = context.AddTask(Markup.Escape(Describe(firstStep)), maxValue: totalSteps);
                bar.Value = firstStep;
                try
                {
                    return train();
                }
                finally
                {
                    bar.StopTask();
                }
            });
    }

    /// <summary>Reports a finished step.</summary>
    public void Step(StepResult step)
    {
        lastLoss = step.Loss;
        if (bar is not null)
        {
            bar.Value = step.Step;
            bar.Description = Markup.Escape(Describe(step.Step));
        }
        else if (step.Step % logEvery == 0)
        {
            Console.WriteLine(string.Create(Invariant,
                $"step {step.Step,6}/{totalSteps}  loss {step.Loss:F4}  lr {step.LearningRate:E2}  grad norm {step.GradientNorm:F3}  {StepsPerSecond(step.Step):F2} it/s  {clock.Elapsed:mm\\:ss}"));
        }
    }

    /// <summary>Reports a validation with the line that describes it.</summary>
    public void Validation(ValidationResult validation, string line)
    {
        lastDice = validation.Score.Mean;
        if (bar is not null)
        {
            bar.Description = Markup.Escape(Describe(validation.Step));
        }

        Line(line);
    }

    /// <summary>Prints a line: above the bar while it is up, else plainly.</summary>
    public void Line(string line)
    {
        if (bar is not null)
        {
            AnsiConsole.MarkupLine(Markup.Escape(line));
        }
        else
        {
            Console.WriteLine(line);
        }
    }

    private string Describe(long step) =>
        string.Create(Invariant,
            $"step {step}/{totalSteps}  loss {(lastLoss is { } l ? l.ToString("F4", Invariant) : "–")}  val Dice {(lastDice is { } d ? d.ToString("F4", Invariant) : "–")}  {StepsPerSecond(step):F2} it/s");

    private double StepsPerSecond(long step) =>
        clock.Elapsed.TotalSeconds > 0 ? (step - firstStep) / clock.Elapsed.TotalSeconds : 0;
}
