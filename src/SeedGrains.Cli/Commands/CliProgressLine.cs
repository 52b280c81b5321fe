using Spectre.Console;

namespace SeedGrains.Cli.Commands;

/// <summary>One line of a <see cref="CliProgress"/> display; every member is a no-op when progress is not shown.</summary>
internal sealed class CliProgressLine(ProgressTask? task)
{
    /// <summary>Adds <paramref name="by"/> to the value (safe from several threads: Spectre locks the task).</summary>
    public void Advance(double by) => task?.Increment(by);

    /// <summary>Sets the value, e.g. the step a training run has reached.</summary>
    public void MoveTo(double value)
    {
        if (task is not null) task.Value = value;
    }

    /// <summary>Replaces the description (plain text: markup characters are shown as they are).</summary>
    public void Describe(string description)
    {
        if (task is not null) task.Description = Markup.Escape(description);
    }
}
