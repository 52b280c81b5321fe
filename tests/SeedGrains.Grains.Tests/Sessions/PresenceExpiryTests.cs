using Microsoft.Extensions.Time.Testing;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Grains.Sessions;
using SeedGrains.Tests.Fakes;

namespace SeedGrains.Grains.Tests.Sessions;

public sealed class PresenceExpiryTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly List<(Func<Task> Tick, TimeSpan Period, Timer Handle)> _timers = [];

    private sealed class Timer : IDisposable
    {
        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }

    private IDisposable Every(Func<Task> tick, TimeSpan period)
    {
        var handle = new Timer();
        _timers.Add((tick, period, handle));
        return handle;
    }

    private SessionBroadcaster Watchers()
    {
        var document = new SessionDocument("s", _time);
        document.Start(DocumentCanvas.Create("abc", [], new CharTokenizer(), SessionParts.Specials, new SessionOptions()), 1, SessionStatus.Idle);
        return new SessionBroadcaster(document, _time);
    }

    [Fact]
    public async Task The_first_presence_starts_one_timer_that_stops_itself_once_everyone_expired()
    {
        var watchers = Watchers();
        var expiry = new PresenceExpiry(watchers, Every);

        watchers.SetPresence(new PresenceUpdate("ann", null, 1, 0, null, null));
        expiry.Touch();
        expiry.Touch();
        var (tick, period, handle) = Assert.Single(_timers);
        Assert.Equal(PresenceBoard.Ttl / 6, period);

        await tick(); // ann is still fresh
        Assert.False(handle.Disposed);
        Assert.True(expiry.Running);

        _time.Advance(PresenceBoard.Ttl + TimeSpan.FromSeconds(1));
        await tick();
        Assert.True(handle.Disposed);
        Assert.False(expiry.Running);
        Assert.Equal(0, watchers.Presence.Count);

        expiry.Touch(); // a later presence starts it again
        Assert.Equal(2, _timers.Count);
    }
}
