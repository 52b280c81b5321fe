using System.Threading.RateLimiting;
using SeedGrains.Abstractions.Limits;

namespace SeedGrains.Grains.Limits;

/// <summary>
/// A per-minute token bucket: a <see cref="TokenBucketRateLimiter"/> holding <c>limit</c> permits that refills one
/// permit every minute / limit. It is replenished by hand from the service's clock (<see cref="Sync"/>), not by its own
/// timer, so tests move time explicitly. Charges after the fact may exceed what is left: the excess is debt, paid from
/// later refills before anything is admitted again (the limiter itself cannot go below zero).
/// </summary>
internal sealed class MinuteBucket : IDisposable
{
    private readonly TokenBucketRateLimiter _limiter;
    private readonly TimeSpan _period;
    private DateTimeOffset _lastRefill;
    private long _debt;

    public MinuteBucket(long limit, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        Limit = (int)Math.Min(limit, int.MaxValue);
        _period = TimeSpan.FromTicks(Math.Max(1, TimeSpan.TicksPerMinute / Limit));
        _limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = Limit,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = _period,
            AutoReplenishment = false, // refilled in Sync, from the injected clock
            QueueLimit = 0,
        });
        _lastRefill = now;
    }

    public int Limit { get; }

    /// <summary>Permits that can be taken now (0 while in debt).</summary>
    public long Available => Math.Max(0, Raw - _debt);

    /// <summary>Permits in the limiter itself.</summary>
    private long Raw => _limiter.GetStatistics()?.CurrentAvailablePermits ?? 0;

    /// <summary>Adds the permits that refilled since the last call (one per elapsed period), debt paid first.</summary>
    public void Sync(DateTimeOffset now)
    {
        var periods = (now - _lastRefill).Ticks / _period.Ticks;
        if (periods <= 0) return;
        // Debt exists only while the limiter is empty, so refills pay it before they reach the limiter.
        var paid = Math.Min(_debt, periods);
        _debt -= paid;
        // A manual TryReplenish adds exactly TokensPerPeriod (1); past a full bucket it changes nothing.
        var room = Limit - Raw;
        var refills = Math.Min(periods - paid, room);
        for (var i = 0L; i < refills; i++) _limiter.TryReplenish();
        // Once full, the refill clock restarts from now; until then it keeps the fraction of a period already elapsed.
        _lastRefill = periods - paid >= room ? now : _lastRefill + _period * periods;
    }

    /// <summary>Takes <paramref name="permits"/> when that many are available; else takes nothing.</summary>
    public bool TryTake(int permits)
    {
        if (Available < permits) return false;
        using var lease = _limiter.AttemptAcquire(permits);
        return lease.IsAcquired;
    }

    /// <summary>Takes <paramref name="permits"/> whatever is left; what is missing becomes debt.</summary>
    public void Charge(long permits)
    {
        if (permits <= 0) return;
        _debt += permits;
        PayDebt();
    }

    /// <summary>Time until <paramref name="permits"/> can be taken.</summary>
    public TimeSpan Until(long permits, DateTimeOffset now)
    {
        var missing = permits + _debt - Raw;
        if (missing <= 0) return TimeSpan.Zero;
        var sinceRefill = now - _lastRefill;
        var wait = _period * missing - sinceRefill;
        return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
    }

    public BucketState State(DateTimeOffset now) => new(Limit, Available, Until(Limit, now));

    public void Dispose() => _limiter.Dispose();

    private void PayDebt()
    {
        var pay = (int)Math.Min(_debt, Raw);
        if (pay <= 0) return;
        using var lease = _limiter.AttemptAcquire(pay);
        if (lease.IsAcquired) _debt -= pay;
    }
}
