namespace SeedGrains.Grains.Sessions;

/// <summary>
/// Backing off after transient step failures: a full queue (busy) or no worker reachable (unavailable). Each failure
/// doubles the wait before the next step, from 5 ms up to 250 ms; a condition that lasts longer than its limit
/// (<see cref="SessionOptions.BusyTimeoutSeconds"/>, <see cref="SessionOptions.UnavailableTimeoutSeconds"/>) gives up.
/// </summary>
internal sealed class StepBackoff(TimeProvider time, SessionOptions options)
{
    private static readonly TimeSpan First = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan Max = TimeSpan.FromMilliseconds(250);
    private TimeSpan _next = First;
    private DateTimeOffset? _transientSince;
    private DateTimeOffset _retryAt = DateTimeOffset.MinValue;

    /// <summary>A step may run now (no back-off window is open).</summary>
    public bool MayStep => time.GetUtcNow() >= _retryAt;

    /// <summary>When the next step may run (<see cref="DateTimeOffset.MinValue"/>: at once).</summary>
    public DateTimeOffset RetryAt => _retryAt;

    /// <summary>A fresh start (the loop starts): no window, no transient condition.</summary>
    public void Reset()
    {
        Succeeded();
        _retryAt = DateTimeOffset.MinValue;
    }

    public void Succeeded()
    {
        _transientSince = null;
        _next = First;
    }

    /// <summary>
    /// A transient failure: opens the next back-off window and returns true, or returns false once the condition has
    /// lasted past its limit (<paramref name="limitSeconds"/>) — the caller gives up then.
    /// </summary>
    public bool TryBackOff(bool busy, out double limitSeconds)
    {
        var now = time.GetUtcNow();
        _transientSince ??= now;
        limitSeconds = busy ? options.BusyTimeoutSeconds : options.UnavailableTimeoutSeconds;
        if (now - _transientSince > TimeSpan.FromSeconds(limitSeconds)) return false;
        _retryAt = now + _next;
        _next = TimeSpan.FromTicks(Math.Min(_next.Ticks * 2, Max.Ticks));
        return true;
    }
}
