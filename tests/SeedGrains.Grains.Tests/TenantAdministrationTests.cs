using Microsoft.Extensions.Time.Testing;
using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Tenants;

namespace SeedGrains.Grains.Tests;

/// <summary>The tenant grain's administration: create, status, keys (expiry, revocation, last use), directory and deletion.</summary>
public sealed class TenantAdministrationTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_tenant_is_created_once_and_shows_up_in_the_directory()
    {
        await using var cluster = await TestCluster.Start(time: new FakeTimeProvider(Start));
        var info = await cluster.Tenant("acme").Create(new TenantQuotas(MaxConcurrentSessions: 3));

        Assert.Equal(TenantStatus.Active, info.Status);
        Assert.Equal(Start, info.CreatedAt);
        Assert.Equal(3, info.Quotas.MaxConcurrentSessions);
        await Assert.ThrowsAsync<TenantExistsException>(() => cluster.Tenant("acme").Create(TenantQuotas.Default));
        await Assert.ThrowsAsync<TenantNotFoundException>(() => cluster.Tenant("nobody").GetInfo());
        var page = await cluster.Grains.GetGrain<ITenantDirectoryGrain>(ITenantDirectoryGrain.Key).List(10, null);
        Assert.Equal(["acme"], page.Ids);
    }

    [Fact]
    public async Task A_tenant_given_its_first_key_exists_too_like_the_seeded_dev_tenant()
    {
        await using var cluster = await TestCluster.Start(time: new FakeTimeProvider(Start));
        await cluster.Tenant("dev").AddApiKey("dev-key-0123456789");

        Assert.Equal("dev", (await cluster.Tenant("dev").GetInfo()).Id);
        var keys = await cluster.Tenant("dev").ListApiKeys();
        Assert.Equal("dev-key-", Assert.Single(keys).Prefix);
        Assert.Contains("dev", (await cluster.Grains.GetGrain<ITenantDirectoryGrain>(ITenantDirectoryGrain.Key).List(10, null)).Ids);
    }

    [Fact]
    public async Task The_directory_pages_in_id_order_with_a_cursor()
    {
        await using var cluster = await TestCluster.Start(time: new FakeTimeProvider(Start));
        foreach (var id in new[] { "t-c", "t-a", "t-e", "t-b", "t-d" })
            await cluster.Tenant(id).Create(TenantQuotas.Default);
        var directory = cluster.Grains.GetGrain<ITenantDirectoryGrain>(ITenantDirectoryGrain.Key);

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await directory.List(2, cursor);
            seen.AddRange(page.Ids);
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(["t-a", "t-b", "t-c", "t-d", "t-e"], seen);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task A_created_key_resolves_to_its_tenant_until_revoked_by_id()
    {
        await using var cluster = await TestCluster.Start(time: new FakeTimeProvider(Start));
        var tenant = cluster.Tenant("acme");
        await tenant.Create(TenantQuotas.Default);
        var issued = await tenant.CreateApiKey("ci", expiresAt: null);
        var index = cluster.Grains.GetGrain<IApiKeyGrain>(ApiKeyHash.Of(issued.Secret));

        Assert.StartsWith("key_", issued.Info.Id, StringComparison.Ordinal);
        Assert.Equal(issued.Secret[..8], issued.Info.Prefix);
        Assert.Equal(new ApiKeyLookup("acme", false), await index.Lookup());

        await tenant.RevokeApiKeyById(issued.Info.Id);

        Assert.Null(await index.Lookup());
        Assert.Empty(await tenant.ListApiKeys());
        await Assert.ThrowsAsync<TenantNotFoundException>(() => tenant.RevokeApiKeyById(issued.Info.Id));
    }

    [Fact]
    public async Task A_key_stops_working_at_its_expiry_on_the_service_clock()
    {
        var clock = new FakeTimeProvider(Start);
        await using var cluster = await TestCluster.Start(time: clock);
        var tenant = cluster.Tenant("acme");
        await tenant.Create(TenantQuotas.Default);
        var issued = await tenant.CreateApiKey(null, Start.AddHours(1));
        var index = cluster.Grains.GetGrain<IApiKeyGrain>(ApiKeyHash.Of(issued.Secret));

        clock.Advance(TimeSpan.FromMinutes(59));
        Assert.NotNull(await index.Lookup());
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(await index.Lookup());
        await Assert.ThrowsAsync<ArgumentException>(() => tenant.CreateApiKey(null, Start));
    }

    [Fact]
    public async Task Last_use_is_listed_without_exposing_the_key()
    {
        var clock = new FakeTimeProvider(Start);
        await using var cluster = await TestCluster.Start(time: clock);
        var tenant = cluster.Tenant("acme");
        await tenant.Create(TenantQuotas.Default);
        var issued = await tenant.CreateApiKey("laptop", null);
        Assert.Null(Assert.Single(await tenant.ListApiKeys()).LastUsedAt);

        clock.Advance(TimeSpan.FromSeconds(10));
        await cluster.Grains.GetGrain<IApiKeyGrain>(ApiKeyHash.Of(issued.Secret)).Lookup();

        var listed = Assert.Single(await tenant.ListApiKeys());
        Assert.Equal(Start.AddSeconds(10), listed.LastUsedAt);
        Assert.Equal("laptop", listed.Name);
        Assert.DoesNotContain(issued.Secret, listed.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Suspending_marks_every_key_and_resuming_clears_it_including_keys_created_while_suspended()
    {
        await using var cluster = await TestCluster.Start(time: new FakeTimeProvider(Start));
        var tenant = cluster.Tenant("acme");
        await tenant.Create(TenantQuotas.Default);
        var before = await tenant.CreateApiKey(null, null);

        Assert.Equal(TenantStatus.Suspended, (await tenant.SetStatus(TenantStatus.Suspended)).Status);
        var during = await tenant.CreateApiKey(null, null);
        Assert.True((await cluster.Grains.GetGrain<IApiKeyGrain>(ApiKeyHash.Of(before.Secret)).Lookup())!.Suspended);
        Assert.True((await cluster.Grains.GetGrain<IApiKeyGrain>(ApiKeyHash.Of(during.Secret)).Lookup())!.Suspended);

        await tenant.SetStatus(TenantStatus.Active);
        Assert.False((await cluster.Grains.GetGrain<IApiKeyGrain>(ApiKeyHash.Of(before.Secret)).Lookup())!.Suspended);
        Assert.False((await cluster.Grains.GetGrain<IApiKeyGrain>(ApiKeyHash.Of(during.Secret)).Lookup())!.Suspended);
    }

    [Fact]
    public async Task Deletion_revokes_keys_names_the_denoising_sessions_and_forgets_the_tenant()
    {
        await using var cluster = await TestCluster.Start(time: new FakeTimeProvider(Start));
        var tenant = cluster.Tenant("acme");
        await tenant.Create(TenantQuotas.Default);
        var issued = await tenant.CreateApiKey(null, null);
        await tenant.AcquireSessionSlot("s1");

        var plan = await tenant.BeginDelete();

        Assert.Equal(["s1"], plan.ActiveSessions);
        Assert.Equal([ApiKeyHash.Of(issued.Secret)], plan.KeyHashes);
        Assert.Null(await cluster.Grains.GetGrain<IApiKeyGrain>(ApiKeyHash.Of(issued.Secret)).Lookup());
        await Assert.ThrowsAsync<TenantNotFoundException>(() => tenant.GetInfo());
        await Assert.ThrowsAsync<TenantNotFoundException>(() => tenant.CreateApiKey(null, null));

        await tenant.ReleaseSessionSlot("s1", 5);
        await tenant.CompleteDelete();

        Assert.Empty((await cluster.Grains.GetGrain<ITenantDirectoryGrain>(ITenantDirectoryGrain.Key).List(10, null)).Ids);
        await Assert.ThrowsAsync<TenantNotFoundException>(() => tenant.GetInfo());
        // The id is free again.
        Assert.Equal(0, (await tenant.Create(TenantQuotas.Default)).Usage.TokensGenerated);
    }
}
