using SeedGrains.Abstractions.Tenants;
using SeedGrains.Silo.Api;

namespace SeedGrains.Silo.Tests;

/// <summary>The negative cache of API keys: remembers unknown keys, and stays bounded under a flood of distinct ones.</summary>
public sealed class UnknownKeyCacheTests
{
    [Fact]
    public void A_remembered_key_is_known_unknown_and_others_are_not()
    {
        using var cache = new UnknownKeyCache();
        var wrong = ApiKeyHash.Of("wrong");
        Assert.False(cache.IsKnownUnknown(wrong));

        cache.Remember(wrong);

        Assert.True(cache.IsKnownUnknown(wrong));
        Assert.False(cache.IsKnownUnknown(ApiKeyHash.Of("another")));
    }

    [Fact]
    public void A_flood_of_distinct_keys_never_grows_it_past_its_capacity()
    {
        using var cache = new UnknownKeyCache();
        for (var i = 0; i < UnknownKeyCache.Capacity * 3; i++)
        {
            cache.Remember(ApiKeyHash.Of($"wrong-{i}"));
            Assert.True(cache.Count <= UnknownKeyCache.Capacity);
        }
        Assert.True(cache.Count > 0);
    }
}
