using System.Text;

namespace SeedGrains.Silo.Tests;

/// <summary>One server-sent event.</summary>
public sealed record SseEvent(string? Event, string? Id, string Data);

internal static class Sse
{
    /// <summary>Reads events until the server closes the stream.</summary>
    public static async Task<List<SseEvent>> ReadAll(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var events = new List<SseEvent>();
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        string? name = null, id = null;
        var data = new StringBuilder();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Length > 0) events.Add(new SseEvent(name, id, data.ToString()));
                name = id = null;
                data.Clear();
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line[7..];
            else if (line.StartsWith("id: ", StringComparison.Ordinal)) id = line[4..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data.Append(data.Length > 0 ? "\n" : "").Append(line[6..]);
        }
        return events;
    }
}
