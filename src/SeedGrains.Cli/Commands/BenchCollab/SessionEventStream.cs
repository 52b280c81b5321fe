namespace SeedGrains.Cli.Commands.BenchCollab;

/// <summary>Follows a session's event stream: every snapshot and change event, parsed, in order, until the stream ends.</summary>
internal static class SessionEventStream
{
    /// <summary>
    /// Calls <paramref name="onEvent"/> for each snapshot or change event (presence and others are skipped). A stream the
    /// server ends while it is followed is an error: the benchmark's clients follow it until they are stopped.
    /// </summary>
    public static async Task Follow(HttpResponseMessage response, string who, Action<SseFrame, WireEvent> onEvent, CancellationToken stop)
    {
        using (response)
        using (var reader = new SseFrameReader(await response.Content.ReadAsStreamAsync(stop)))
        {
            while (await reader.Next(stop) is { } frame)
            {
                if (frame.Event is not ("snapshot" or "change")) continue;
                onEvent(frame, WireEvent.Parse(frame));
            }
        }
        throw new InvalidOperationException($"{who}: the session's event stream ended while it was followed");
    }
}
