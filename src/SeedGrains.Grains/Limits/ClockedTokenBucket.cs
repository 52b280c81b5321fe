using System.Threading.RateLimiting;
using SeedGrains.Abstractions.Limits;

namespace SeedGrains.Grains.Limits;

/// <summary>
/// A per-minute token bucket as a <see cref="RateLimiter"/>: holds up to <c>limit</c> permits and refills one every
/// minute / limit, by the given <see cref="TimeProvider"/>. Why not <see cref="TokenBucketRateLimiter"/>: its refill
/// reads <see cref="System.Diagnostics.Stopwatch"/> even with manual replenishment, so tests could not move its time;
/// this one is a RateLimiter too (usable by <see cref="PartitionedRateLimiter"/>) whose time is injected.
/// Charges after the fact (<see cref="Charge"/>) may exceed what is left: the excess is debt, paid from refills before
/// anything is granted again. Thread-safe.
/// </summary>
public sealed class ClockedTokenBucket : RateLimiter
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _period;
    private readonly Lock _lock = new();
    private DateTimeOffset _lastRefill;
    private long _tokens;
    private long _debt;
    private long _granted;
    private long _refused;

    public ClockedTokenBucket(long perMinute, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perMinute, 1);
        ArgumentNullException.ThrowIfNull(time);
        Limit = perMinute;
        _time = time;
        _period = TimeSpan.FromTicks(Math.Max(1, TimeSpan.TicksPerMinute / perMinute));
        _tokens = perMinute;
        _lastRefill = time.GetUtcNow();
    }

    public long Limit { get; }

    /// <summary>Permits that can be taken now (0 while in debt).</summary>
    public long Available
    {
        get
        {
            lock (_lock)
            {
                Refill();
                return _tokens;
            }
        }
    }

    /// <summary>Takes <paramref name="permits"/> whatever is left; what is missing becomes debt.</summary>
    public void Charge(long permits)
    {
        if (permits <= 0) return;
        lock (_lock)
        {
            Refill();
            var paid = Math.Min(_tokens, permits);
            _tokens -= paid;
            _debt += permits - paid;
        }
    }

    /// <summary>Time until <paramref name="permits"/> can be taken (zero when they can now).</summary>
    public TimeSpan Until(long permits)
    {
        lock (_lock)
        {
            Refill();
            var missing = permits + _debt - _tokens;
            if (missing <= 0) return TimeSpan.Zero;
            var wait = _period * missing - (_time.GetUtcNow() - _lastRefill);
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
    }

    /// <summary>The bucket as the API reports it; reset = time until full.</summary>
    public BucketState State() => new(Limit, Available, Until(Limit));

    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (_lock)
            {
                Refill();
                // Full: nothing would change if it were dropped and made again. The refill clock stops at full.
                return _tokens == Limit ? _time.GetUtcNow() - _lastRefill : null;
            }
        }
    }

    public override RateLimiterStatistics? GetStatistics() => new()
    {
        CurrentAvailablePermits = Available,
        CurrentQueuedCount = 0,
        TotalSuccessfulLeases = Interlocked.Read(ref _granted),
        TotalFailedLeases = Interlocked.Read(ref _refused),
    };

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(permitCount);
        lock (_lock)
        {
            Refill();
            if (_tokens >= permitCount)
            {
                _tokens -= permitCount;
                Interlocked.Increment(ref _granted);
                return BucketLease.Granted;
            }
        }
        Interlocked.Increment(ref _refused);
        return new BucketLease(false, Until(permitCount));
    }

    /// <summary>No queueing: an answer at once, as <see cref="AttemptAcquireCore"/>.</summary>
    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(permitCount));

    /// <summary>Adds the permits refilled since the last call (one per whole period elapsed), paying debt first. Under the lock.</summary>
    private void Refill()
    {
        var now = _time.GetUtcNow();
        var periods = (now - _lastRefill).Ticks / _period.Ticks;
        if (periods <= 0) return;
        var paid = Math.Min(_debt, periods);
        _debt -= paid;
        var room = Limit - _tokens;
        var added = Math.Min(periods - paid, room);
        _tokens += added;
        // Once full the refill clock restarts from now; until then it keeps the part of a period already elapsed.
        _lastRefill = periods - paid >= room ? now : _lastRefill + _period * periods;
    }

    private sealed class BucketLease(bool acquired, TimeSpan retryAfter) : RateLimitLease
    {
        public static readonly BucketLease Granted = new(true, TimeSpan.Zero);

        public override bool IsAcquired { get; } = acquired;

        public override IEnumerable<string> MetadataNames => IsAcquired ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = !IsAcquired && metadataName == MetadataName.RetryAfter.Name ? retryAfter : null;
            return metadata is not null;
        }
    }
}
