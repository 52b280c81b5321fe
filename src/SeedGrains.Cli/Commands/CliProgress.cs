using Spectre.Console;

namespace SeedGrains.Cli.Commands;

/// <summary>
/// Live progress for long commands (spans or windows done / total, rate, ETA), drawn by Spectre.Console — only when
/// stdout is an interactive terminal and the result is not asked for as JSON: redirected output and `--json` stay
/// exactly the result, nothing else.
/// </summary>
internal sealed class CliProgress
{
    private readonly ProgressContext? _context;

    private CliProgress(ProgressContext? context) => _context = context;

    /// <summary>Whether progress is shown: an interactive terminal on stdout, and no --json.</summary>
    public static bool Shown(bool json) =>
        !json && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="work"/>, with a progress display when <see cref="Shown"/>.</summary>
    public static T Run<T>(bool json, Func<CliProgress, T> work)
    {
        if (!Shown(json)) return work(new CliProgress(null));
        return AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new CountColumn(), new RateColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context => work(new CliProgress(context)));
    }

    /// <summary>A line of progress, e.g. "diffusion spans" of 100; a no-op when progress is not shown.</summary>
    public Action<double> Line(string description, double total)
    {
        if (_context is null) return _ => { };
        var task = _context.AddTask(description, maxValue: Math.Max(1, total));
        return by => task.Increment(by);
    }

    /// <summary>"37/100".</summary>
    private sealed class CountColumn : ProgressColumn
    {
        public override Spectre.Console.Rendering.IRenderable Render(Spectre.Console.Rendering.RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text($"{task.Value:0}/{task.MaxValue:0}");
    }

    /// <summary>Items per second, as Spectre measures the task's speed.</summary>
    private sealed class RateColumn : ProgressColumn
    {
        public override Spectre.Console.Rendering.IRenderable Render(Spectre.Console.Rendering.RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(task.Speed is { } speed ? $"{speed:0.##}/s" : "–/s");
    }
}
