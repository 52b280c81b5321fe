using Microsoft.Extensions.Time.Testing;
using SeedGrains.Abstractions.Limits;
using SeedGrains.Abstractions.Tenants;
using SeedGrains.Abstractions.Usage;

namespace SeedGrains.Grains.Tests;

/// <summary>
/// The per-tenant limiter grain: token buckets refilled by the service's clock (a fake here, so time only moves when a
/// test moves it), limits from the tenant's quotas, refusals metered.
/// </summary>
public sealed class LimiterGrainTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Requests_per_minute_admit_the_limit_then_refuse_until_a_permit_refills()
    {
        var time = new FakeTimeProvider(Start);
        await using var cluster = await TestCluster.Start(time: time);
        await cluster.Tenant("rpm").SetQuotas(new TenantQuotas(RequestsPerMinute: 3));
        var limiter = Limiter(cluster, "rpm");

        for (var i = 0; i < 3; i++)
            Assert.True((await limiter.Admit(generates: false)).Admitted, $"request {i + 1} of 3");
        var refused = await limiter.Admit(generates: false);

        Assert.False(refused.Admitted);
        Assert.Equal("requests", refused.Reason);
        Assert.Equal(TimeSpan.FromSeconds(20), refused.RetryAfter); // one permit every 60 s / 3
        Assert.Equal(new BucketState(3, 0, TimeSpan.FromSeconds(60)), refused.Requests);

        time.Advance(TimeSpan.FromSeconds(19));
        Assert.False((await limiter.Admit(generates: false)).Admitted);
        time.Advance(TimeSpan.FromSeconds(1));
        var admitted = await limiter.Admit(generates: false);
        Assert.True(admitted.Admitted);
        Assert.Equal(0, admitted.Requests.Remaining);
    }

    [Fact]
    public async Task Zero_means_unlimited()
    {
        await using var cluster = await TestCluster.Start(time: new FakeTimeProvider(Start));
        var limiter = Limiter(cluster, "free");

        for (var i = 0; i < 500; i++)
            Assert.True((await limiter.Admit(generates: true)).Admitted);
        await limiter.ChargeTokens(1_000_000);
        var decision = await limiter.Admit(generates: true);

        Assert.True(decision.Admitted);
        Assert.True(decision.Requests.Unlimited);
        Assert.True(decision.Tokens.Unlimited);
    }

    [Fact]
    public async Task Generated_tokens_beyond_the_limit_are_debt_that_blocks_generating_requests_until_refilled()
    {
        var time = new FakeTimeProvider(Start);
        await using var cluster = await TestCluster.Start(time: time);
        await cluster.Tenant("tpm").SetQuotas(new TenantQuotas(TokensPerMinute: 60)); // one token a second
        var limiter = Limiter(cluster, "tpm");

        Assert.True((await limiter.Admit(generates: true)).Admitted);
        await limiter.ChargeTokens(90); // 60 in the bucket, 30 of debt

        var refused = await limiter.Admit(generates: true);
        Assert.False(refused.Admitted);
        Assert.Equal("tokens", refused.Reason);
        Assert.Equal(TimeSpan.FromSeconds(31), refused.RetryAfter); // the debt, then one token
        Assert.True((await limiter.Admit(generates: false)).Admitted, "a request that generates nothing is not held back by tokens");

        time.Advance(TimeSpan.FromSeconds(30));
        Assert.False((await limiter.Admit(generates: true)).Admitted);
        time.Advance(TimeSpan.FromSeconds(1));
        var admitted = await limiter.Admit(generates: true);
        Assert.True(admitted.Admitted);
        Assert.Equal(1, admitted.Tokens.Remaining);
    }

    [Fact]
    public async Task Changed_quotas_apply_without_handing_out_a_fresh_allowance()
    {
        var time = new FakeTimeProvider(Start);
        await using var cluster = await TestCluster.Start(time: time);
        await cluster.Tenant("resize").SetQuotas(new TenantQuotas(RequestsPerMinute: 10));
        var limiter = Limiter(cluster, "resize");
        for (var i = 0; i < 8; i++) Assert.True((await limiter.Admit(generates: false)).Admitted);

        await limiter.Configure(new TenantQuotas(RequestsPerMinute: 100));
        var decision = await limiter.Admit(generates: false);

        Assert.True(decision.Admitted);
        Assert.Equal(100, decision.Requests.Limit);
        Assert.Equal(1, decision.Requests.Remaining); // the 2 left before, minus this one
    }

    [Fact]
    public async Task Quotas_set_on_the_tenant_reach_the_limiter_within_the_refresh_interval()
    {
        var time = new FakeTimeProvider(Start);
        await using var cluster = await TestCluster.Start(time: time);
        var limiter = Limiter(cluster, "later");
        Assert.True((await limiter.Admit(generates: false)).Requests.Unlimited);

        await cluster.Tenant("later").SetQuotas(new TenantQuotas(RequestsPerMinute: 1));
        time.Advance(Grains.Limits.TenantLimiterGrain.QuotaRefresh);

        Assert.True((await limiter.Admit(generates: false)).Admitted);
        Assert.False((await limiter.Admit(generates: false)).Admitted);
    }

    [Fact]
    public async Task Refusals_are_metered_as_rate_limit_in_the_tenants_usage()
    {
        var time = new FakeTimeProvider(Start);
        await using var cluster = await TestCluster.Start(time: time);
        await cluster.Tenant("metered").SetQuotas(new TenantQuotas(RequestsPerMinute: 1));
        var limiter = Limiter(cluster, "metered");
        var usage = cluster.Grains.GetGrain<ITenantUsageGrain>(TenantGrainKeys.Usage("metered"));

        Assert.True((await limiter.Admit(generates: false)).Admitted);
        Assert.False((await limiter.Admit(generates: false)).Admitted); // reported at once (first refusal)
        Assert.False((await limiter.Admit(generates: false)).Admitted); // batched: within a second of the last report
        Assert.Equal(1, RateLimited(await usage.Get(Start, Start.AddHours(1))));

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False((await limiter.Admit(generates: false)).Admitted); // a second later: both go out
        Assert.Equal(3, RateLimited(await usage.Get(Start, Start.AddHours(1))));
    }

    [Fact]
    public async Task Tokens_a_session_commits_are_charged_to_its_tenants_limiter()
    {
        // Real time, one token a minute: nothing refills within the test unless it runs for over a minute.
        await using var cluster = await TestCluster.Start();
        await cluster.Tenant("charged").SetQuotas(new TenantQuotas(TokensPerMinute: 1));
        var session = cluster.Session("charged", "s1");
        await session.Create(new Abstractions.Sessions.CreateSessionRequest("x", [new Abstractions.Sessions.TextRegion(1, 1, 8)]));
        await session.UntilSettled();

        // The session charges right after it announces "idle"; no signal reaches the test, so wait for the refusal.
        RateLimitDecision? decision = null;
        await SessionWatching.Eventually(async () => !(decision = await Limiter(cluster, "charged").Admit(generates: true)).Admitted,
            "the committed tokens charged", seconds: 20);
        Assert.Equal("tokens", decision!.Reason);
        // 8 tokens against a bucket of 1: 7 of debt, then one token, a minute each (less the time the test took).
        Assert.InRange(decision.RetryAfter, TimeSpan.FromMinutes(7), TimeSpan.FromMinutes(8));
    }

    private static long RateLimited(IReadOnlyList<UsageHour> hours) =>
        hours.Sum(h => h.RejectedByReason.GetValueOrDefault("rate_limit"));

    private static ITenantLimiterGrain Limiter(TestCluster cluster, string tenant) =>
        cluster.Grains.GetGrain<ITenantLimiterGrain>(TenantGrainKeys.Limiter(tenant));
}
