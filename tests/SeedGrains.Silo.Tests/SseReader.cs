using System.Text;

namespace SeedGrains.Silo.Tests;

/// <summary>Reads server-sent events one at a time, so a test can act between them.</summary>
internal sealed class SseReader(Stream stream) : IDisposable
{
    private readonly StreamReader _reader = new(stream, Encoding.UTF8);

    /// <summary>The next event, or null when the server ended the stream.</summary>
    public async Task<SseEvent?> Next(CancellationToken cancellationToken)
    {
        string? name = null, id = null;
        var data = new StringBuilder();
        while (await _reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Length > 0) return new SseEvent(name, id, data.ToString());
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
