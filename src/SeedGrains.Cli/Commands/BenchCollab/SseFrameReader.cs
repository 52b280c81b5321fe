using System.Text;

namespace SeedGrains.Cli.Commands.BenchCollab;

/// <summary>
/// Reads a text/event-stream one event at a time and counts each event's bytes as the server framed it
/// (`event:`, `id:`, `data:` lines and the blank line that ends it; the server writes `\n` line ends).
/// </summary>
internal sealed class SseFrameReader(Stream stream) : IDisposable
{
    private readonly StreamReader _reader = new(stream, Encoding.UTF8);

    /// <summary>The next event, or null when the server ended the stream.</summary>
    public async Task<SseFrame?> Next(CancellationToken cancellationToken)
    {
        string? name = null, id = null;
        var data = new StringBuilder();
        var bytes = 0;
        while (await _reader.ReadLineAsync(cancellationToken) is { } line)
        {
            bytes += Encoding.UTF8.GetByteCount(line) + 1;
            if (line.Length == 0)
            {
                if (data.Length > 0) return new SseFrame(name, id, data.ToString(), bytes);
                bytes = 0; // a stray blank line belongs to no event
                continue;
            }
            if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line[7..];
            else if (line.StartsWith("id: ", StringComparison.Ordinal)) id = line[4..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data.Append(data.Length > 0 ? "\n" : "").Append(line[6..]);
        }
        return null;
    }

    public void Dispose() => _reader.Dispose();
}
