using SeedGrains.Abstractions.Limits;

namespace SeedGrains.Grains.Limits;

/// <summary>A <see cref="MinuteBucket"/> that may be unlimited (limit 0) and follows limit changes.</summary>
internal sealed class LimitedBucket
{
    private MinuteBucket? _bucket;

    public void Configure(int perMinute, DateTimeOffset now)
    {
        var limit = Math.Max(0, perMinute);
        if (limit == (_bucket?.Limit ?? 0)) return;
        // A new limit keeps what is left (up to the new limit), so lowering a limit cannot hand out a fresh allowance.
        var left = _bucket?.Available;
        _bucket?.Dispose();
        _bucket = limit == 0 ? null : new MinuteBucket(limit, now);
        if (_bucket is not null && left is { } l) _bucket.Charge(_bucket.Limit - Math.Min(l, _bucket.Limit));
    }

    public void Sync(DateTimeOffset now) => _bucket?.Sync(now);

    public bool Available(int permits) => _bucket is null || _bucket.Available >= permits;

    public void Take(int permits) => _bucket?.TryTake(permits);

    public void Charge(long permits) => _bucket?.Charge(permits);

    public TimeSpan Until(long permits, DateTimeOffset now) => _bucket?.Until(permits, now) ?? TimeSpan.Zero;

    public BucketState State(DateTimeOffset now) => _bucket?.State(now) ?? new BucketState(0, 0, TimeSpan.Zero);

    public void Reset()
    {
        _bucket?.Dispose();
        _bucket = null;
    }
}
