using System.Text;
using Spectre.Console;

namespace SeedGrains.Cli.Commands;

/// <summary>
/// A <see cref="TextWriter"/> that hands each complete line to Spectre.Console as plain text, so log lines written while
/// a live progress display is up appear above it instead of tearing it (a raw write to the terminal would not).
/// </summary>
internal sealed class ConsoleLineWriter(IAnsiConsole console) : TextWriter
{
    private readonly StringBuilder _pending = new();
    private readonly Lock _gate = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_gate)
        {
            if (value == '\n') EmitPending();
            else if (value != '\r') _pending.Append(value);
        }
    }

    public override void Write(string? value)
    {
        foreach (var c in value ?? "") Write(c);
    }

    public override void WriteLine(string? value)
    {
        lock (_gate)
        {
            Write(value);
            EmitPending();
        }
    }

    /// <summary>A partial last line is written too, rather than lost.</summary>
    public override void Flush()
    {
        lock (_gate)
        {
            if (_pending.Length > 0) EmitPending();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) Flush();
        base.Dispose(disposing);
    }

    private void EmitPending()
    {
        console.Write(new Text(_pending.ToString()));
        console.WriteLine();
        _pending.Clear();
    }
}
