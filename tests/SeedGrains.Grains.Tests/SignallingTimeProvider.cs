using SeedGrains.Tests.Fakes;

namespace SeedGrains.Grains.Tests;

/// <summary>
/// A <see cref="TimeProvider"/> that delegates to another (a FakeTimeProvider in tests) and tells the test each time
/// code under test starts a timer — e.g. the compute loop starting a timed wait for input, which it only does once it
/// has taken in every row queued so far — or reads the time. Signals to wait on instead of sleeping.
/// </summary>
internal sealed class SignallingTimeProvider(TimeProvider inner) : TimeProvider
{
    private readonly CallSignals _timers = new();
    private readonly CallSignals _reads = new();

    /// <summary>Timers started so far.</summary>
    public int Timers => _timers.Count;

    /// <summary>Reads of <see cref="GetUtcNow"/> so far.</summary>
    public int Reads => _reads.Count;

    /// <summary>Completes once <paramref name="count"/> timers have been started.</summary>
    public Task WhenTimers(int count) => _timers.WhenReached(count);

    /// <summary>Completes once <see cref="GetUtcNow"/> has been read <paramref name="count"/> times.</summary>
    public Task WhenReads(int count) => _reads.WhenReached(count);

    public override DateTimeOffset GetUtcNow()
    {
        var now = inner.GetUtcNow();
        _reads.Increment();
        return now;
    }

    public override long GetTimestamp() => inner.GetTimestamp();

    public override long TimestampFrequency => inner.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = inner.CreateTimer(callback, state, dueTime, period);
        _timers.Increment();
        return timer;
    }
}
