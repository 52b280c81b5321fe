namespace SeedGrains.Grains.Sessions;

/// <summary>
/// Expires silent clients' presence on a repeating timer that runs only while anyone is present: the first presence
/// starts it, and it stops itself once the board is empty.
/// </summary>
/// <param name="every">Starts a repeating, interleaving timer (a grain timer that does not keep the activation alive); disposing stops it.</param>
internal sealed class PresenceExpiry(SessionBroadcaster watchers, Func<Func<Task>, TimeSpan, IDisposable> every)
{
    private IDisposable? _timer;

    public bool Running => _timer is not null;

    /// <summary>A presence arrived: make sure expiry runs.</summary>
    public void Touch() => _timer ??= every(Tick, PresenceBoard.Ttl / 6);

    private Task Tick()
    {
        watchers.ExpirePresence();
        if (watchers.Presence.Count == 0)
        {
            _timer?.Dispose();
            _timer = null;
        }
        return Task.CompletedTask;
    }
}
