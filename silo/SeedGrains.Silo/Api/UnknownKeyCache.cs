using Microsoft.Extensions.Caching.Memory;

namespace SeedGrains.Silo.Api;

/// <summary>
/// Key hashes that were just looked up and found unknown, so that a flood of the same wrong key is answered without a
/// grain call each time. Bounded in entries (a flood of distinct wrong keys cannot grow it past <see cref="Capacity"/>)
/// and in time (<see cref="TimeToLive"/>), so a key created after a failed try works again within that time at worst
/// — and a freshly created random key has never been tried. Only negative answers are cached: a revoked key must
/// stop working at once, which a positive cache would delay.
/// </summary>
internal sealed class UnknownKeyCache : IDisposable
{
    public const int Capacity = 10_000;
    public static readonly TimeSpan TimeToLive = TimeSpan.FromSeconds(30);

    // MemoryCache with a size limit refuses new entries when full (and compacts in the background), so it never grows
    // past the limit; each entry counts 1.
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = Capacity, CompactionPercentage = 0.25 });

    public bool IsKnownUnknown(string keyHash) => _cache.TryGetValue(keyHash, out _);

    public void Remember(string keyHash) =>
        _cache.Set(keyHash, true, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = TimeToLive });

    /// <summary>Entries held now (never more than <see cref="Capacity"/>).</summary>
    public int Count => _cache.Count;

    public void Dispose() => _cache.Dispose();
}
