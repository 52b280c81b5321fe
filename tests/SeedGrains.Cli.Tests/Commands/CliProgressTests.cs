using SeedGrains.Cli.Commands;
using Spectre.Console.Testing;

namespace SeedGrains.Cli.Tests.Commands;

/// <summary>The live progress display and the log writer that keeps log lines from tearing it, on Spectre's test console.</summary>
public sealed class CliProgressTests
{
    [Fact]
    public void Json_output_never_shows_progress()
    {
        Assert.False(CliProgress.ShownFor(json: true));
    }

    [Fact]
    public void Without_a_console_the_work_runs_and_every_line_is_a_no_op()
    {
        var result = CliProgress.Run(console: null, progress =>
        {
            Assert.False(progress.Shown);
            progress.Line("spans", 3)(1);
            var bar = progress.Bar("steps", 10);
            bar.MoveTo(4);
            bar.Describe("steps · loss 1.0000");
            return 42;
        });
        Assert.Equal(42, result);
    }

    [Fact]
    public void An_interactive_console_shows_done_over_total_and_the_description()
    {
        var console = new TestConsole().Interactive().Width(120);
        CliProgress.Run(console, progress =>
        {
            Assert.True(progress.Shown);
            var spans = progress.Line("spans", 4);
            for (var i = 0; i < 3; i++) spans(1);
            var steps = progress.Bar("steps", 10);
            steps.MoveTo(7);
            steps.Describe("steps · loss 2.5000 · [not markup]");
            return 0;
        });
        Assert.Contains("spans", console.Output, StringComparison.Ordinal);
        Assert.Contains("3/4", console.Output, StringComparison.Ordinal);
        Assert.Contains("7/10", console.Output, StringComparison.Ordinal);
        Assert.Contains("steps · loss 2.5000 · [not markup]", console.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_asynchronous_display_returns_the_work_s_result()
    {
        var console = new TestConsole().Interactive().Width(120);
        var result = await CliProgress.RunAsync(console, async progress =>
        {
            var requests = progress.Line("service requests", 2);
            await Task.Yield();
            requests(1);
            requests(1);
            return "done";
        });
        Assert.Equal("done", result);
        Assert.Contains("2/2", console.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Log_lines_written_during_the_display_reach_the_console_and_every_one_reaches_the_log_file()
    {
        var console = new TestConsole().Interactive().Width(200);
        using var logFile = new StringWriter();
        var log = new TeeWriter(new ConsoleLineWriter(console), logFile);
        string[] lines = ["model: 1,234 parameters", "step 1/3 | loss 9.1 | [brackets] stay text", "checkpoint: step 3 → run/checkpoint"];
        CliProgress.Run(console, progress =>
        {
            var steps = progress.Bar("steps", lines.Length);
            for (var i = 0; i < lines.Length; i++)
            {
                log.WriteLine(lines[i]);
                steps.MoveTo(i + 1);
            }
            log.Write("partial ");
            log.Write("line");
            log.Write('\n');
            return 0;
        });

        Assert.Equal([.. lines, "partial line"], logFile.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        foreach (var line in lines.Append("partial line"))
            Assert.Contains(line, console.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_partial_last_line_is_written_when_the_writer_is_flushed()
    {
        var console = new TestConsole();
        using var writer = new ConsoleLineWriter(console);
        writer.Write("no newline yet");
        Assert.DoesNotContain("no newline yet", console.Output, StringComparison.Ordinal);
        writer.Flush();
        Assert.Contains("no newline yet", console.Output, StringComparison.Ordinal);
    }
}
