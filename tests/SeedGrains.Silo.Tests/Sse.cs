using System.Text;
using System.Text.Json;

namespace SeedGrains.Silo.Tests;

/// <summary>One server-sent event.</summary>
public sealed record SseEvent(string? Event, string? Id, string Data);

internal static class Sse
{
    /// <summary>
    /// Waits on a session's event stream, which ends once the session settles (an explicit signal, not a poll), then
    /// reads the session. The timeout only guards against a hang.
    /// </summary>
    public static async Task<JsonElement> SettledSession(HttpClient client, string id)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        using (var events = await client.GetAsync($"/v1/sessions/{id}/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token))
            await ReadAll(events, timeout.Token);
        using var session = JsonDocument.Parse(await client.GetStringAsync($"/v1/sessions/{id}", timeout.Token));
        return session.RootElement.Clone();
    }

    /// <summary>A <c>change</c> event's ops applied to the text of the version before it.</summary>
    public static string ApplyOps(string text, JsonElement change)
    {
        var result = new StringBuilder();
        var position = 0;
        foreach (var op in change.GetProperty("ops").EnumerateArray())
        {
            var start = op.GetProperty("start").GetInt32();
            result.Append(text, position, start - position).Append(op.GetProperty("text").GetString());
            position = op.GetProperty("end").GetInt32();
        }
        return result.Append(text, position, text.Length - position).ToString();
    }

    /// <summary>The next <paramref name="count"/> events of a stream that stays open.</summary>
    public static async Task<List<SseEvent>> Read(StreamReader reader, int count, CancellationToken cancellationToken)
    {
        var events = new List<SseEvent>();
        string? name = null, id = null;
        var data = new StringBuilder();
        while (events.Count < count && await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Length > 0) events.Add(new SseEvent(name, id, data.ToString()));
                name = id = null;
                data.Clear();
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line[7..];
            else if (line.StartsWith("id: ", StringComparison.Ordinal)) id = line[4..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data.Append(line[6..]);
        }
        return events;
    }

    /// <summary>The bytes an event took on the wire.</summary>
    public static int FrameBytes(SseEvent e) =>
        Encoding.UTF8.GetByteCount((e.Event is null ? "" : $"event: {e.Event}\n") + (e.Id is null ? "" : $"id: {e.Id}\n") + $"data: {e.Data}\n\n");

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
