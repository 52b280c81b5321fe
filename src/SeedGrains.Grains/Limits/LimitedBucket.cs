using SeedGrains.Abstractions.Limits;

namespace SeedGrains.Grains.Limits;

/// <summary>A <see cref="ClockedTokenBucket"/> that may be unlimited (limit 0) and follows limit changes.</summary>
internal sealed class LimitedBucket(TimeProvider time)
{
    private ClockedTokenBucket? _bucket;

    public void Configure(int perMinute)
    {
        var limit = Math.Max(0, perMinute);
        if (limit == (_bucket?.Limit ?? 0)) return;
        // A new limit keeps what is left (up to the new limit), so lowering a limit cannot hand out a fresh allowance.
        var left = _bucket?.Available;
        _bucket?.Dispose();
        _bucket = limit == 0 ? null : new ClockedTokenBucket(limit, time);
        if (_bucket is not null && left is { } l) _bucket.Charge(_bucket.Limit - Math.Min(l, _bucket.Limit));
    }

    public bool Has(int permits) => _bucket is null || _bucket.Available >= permits;

    public void Take(int permits)
    {
        using var lease = _bucket?.AttemptAcquire(permits);
    }

    public void Charge(long permits) => _bucket?.Charge(permits);

    public TimeSpan Until(long permits) => _bucket?.Until(permits) ?? TimeSpan.Zero;

    public BucketState State() => _bucket?.State() ?? new BucketState(0, 0, TimeSpan.Zero);

    public void Reset()
    {
        _bucket?.Dispose();
        _bucket = null;
    }
}
