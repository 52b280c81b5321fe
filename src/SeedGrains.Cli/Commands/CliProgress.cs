using Spectre.Console;

namespace SeedGrains.Cli.Commands;

/// <summary>
/// Live progress for long commands (spans, steps or requests done / total, rate, ETA), drawn by Spectre.Console — only
/// when stdout is an interactive terminal and the result is not asked for as JSON: redirected output and `--json` stay
/// exactly the result, nothing else.
/// </summary>
internal sealed class CliProgress
{
    private readonly ProgressContext? _context;

    private CliProgress(ProgressContext? context) => _context = context;

    /// <summary>Whether this display draws anything (false: every line is a no-op).</summary>
    public bool Shown => _context is not null;

    /// <summary>Whether progress is shown: an interactive terminal on stdout, and no --json.</summary>
    public static bool ShownFor(bool json) =>
        !json && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="work"/>, with a progress display when <see cref="ShownFor"/>.</summary>
    public static T Run<T>(bool json, Func<CliProgress, T> work) => Run(ShownFor(json) ? AnsiConsole.Console : null, work);

    /// <summary>Runs <paramref name="work"/>, with a progress display on <paramref name="console"/> (null: none).</summary>
    internal static T Run<T>(IAnsiConsole? console, Func<CliProgress, T> work) =>
        console is null ? work(new CliProgress(null)) : Display(console).Start(context => work(new CliProgress(context)));

    /// <summary><see cref="Run{T}(bool, Func{CliProgress, T})"/> for asynchronous work.</summary>
    public static Task<T> RunAsync<T>(bool json, Func<CliProgress, Task<T>> work) => RunAsync(ShownFor(json) ? AnsiConsole.Console : null, work);

    /// <summary><see cref="Run{T}(IAnsiConsole?, Func{CliProgress, T})"/> for asynchronous work.</summary>
    internal static Task<T> RunAsync<T>(IAnsiConsole? console, Func<CliProgress, Task<T>> work) =>
        console is null ? work(new CliProgress(null)) : Display(console).StartAsync(context => work(new CliProgress(context)));

    private static Progress Display(IAnsiConsole console) => console.Progress()
        .AutoClear(false)
        .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new CountColumn(), new RateColumn(),
            new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn());

    /// <summary>A line of progress, e.g. "diffusion spans" of 100, advanced by the returned action; a no-op when progress is not shown.</summary>
    public Action<double> Line(string description, double total) => Bar(description, total).Advance;

    /// <summary>A line of progress whose value and description the caller sets; a no-op when progress is not shown.</summary>
    public CliProgressLine Bar(string description, double total) =>
        new(_context?.AddTask(Markup.Escape(description), maxValue: Math.Max(1, total)));

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
