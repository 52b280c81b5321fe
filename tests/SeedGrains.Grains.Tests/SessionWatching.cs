using SeedGrains.Abstractions.Sessions;

namespace SeedGrains.Grains.Tests;

internal static class SessionWatching
{
    /// <summary>
    /// All updates until the session settles (snapshot first); fails the test after <paramref name="seconds"/>.
    /// <paramref name="subscribed"/> runs once the first snapshot is in, i.e. once no later update can be missed.
    /// </summary>
    public static async Task<List<SessionUpdate>> UntilSettled(this ISessionGrain session, double seconds = 120, Action? subscribed = null)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var updates = new List<SessionUpdate>();
        await foreach (var update in session.Watch(untilSettled: true, timeout.Token).WithCancellation(timeout.Token))
        {
            updates.Add(update);
            if (updates.Count == 1) subscribed?.Invoke();
        }
        return updates;
    }

    /// <summary>Polls until <paramref name="condition"/> holds (max <paramref name="seconds"/>). Only for conditions that give no signal to wait on.</summary>
    public static async Task Eventually(Func<Task<bool>> condition, string what, double seconds = 60)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out waiting for: {what}");
            await Task.Delay(10);
        }
    }

    /// <summary>The letters the fake stepper writes at document positions [start, start + count).</summary>
    public static string FakeLetters(int start, int count) =>
        new(Enumerable.Range(start, count).Select(p => (char)('a' + p % 26)).ToArray());
}
