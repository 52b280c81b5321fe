using Microsoft.Extensions.Time.Testing;
using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Tenants;

namespace SeedGrains.Grains.Tests;

/// <summary>The retention sweep purges sessions that are not denoising and were not updated for <c>Sessions:RetentionDays</c>, on the service's clock.</summary>
public sealed class RetentionTests
{
    private static ISessionIndexGrain Index(TestCluster cluster, string tenant) =>
        cluster.Grains.GetGrain<ISessionIndexGrain>(TenantGrainKeys.SessionIndex(tenant));

    [Fact]
    public async Task Idle_sessions_older_than_the_retention_are_purged_and_recent_or_denoising_ones_stay()
    {
        var clock = new FakeTimeProvider();
        await using var cluster = await TestCluster.Start(time: clock, sessions: o => o.RetentionDays = 1);
        await cluster.Session("t1", "old").Create(new CreateSessionRequest("old", []));
        cluster.Stepper.Gate.Reset(); // denoising sessions stay denoising
        await cluster.Session("t1", "old-cancelled").Create(new CreateSessionRequest("ab", [new TextRegion(1, 1, MaxTokens: 4)]));
        await cluster.Session("t1", "old-cancelled").Cancel();
        await cluster.Session("t1", "old-denoising").Create(new CreateSessionRequest("cd", [new TextRegion(1, 1, MaxTokens: 4)]));
        await cluster.Session("t1", "touched").Create(new CreateSessionRequest("touched", []));
        await cluster.Session("t2", "other-tenant").Create(new CreateSessionRequest("other", []));

        clock.Advance(TimeSpan.FromHours(20));
        await cluster.Session("t1", "touched").Edit(new EditRequest(1, [new TextEdit(0, 0, "!")], []));
        await cluster.Session("t1", "young").Create(new CreateSessionRequest("young", []));
        Assert.Equal(0, await Index(cluster, "t1").SweepExpired()); // nothing is a day old yet

        clock.Advance(TimeSpan.FromHours(5));
        var purged = await Index(cluster, "t1").SweepExpired();

        Assert.Equal(2, purged);
        await Assert.ThrowsAsync<SessionNotFoundException>(() => cluster.Session("t1", "old").Get());
        await Assert.ThrowsAsync<SessionNotFoundException>(() => cluster.Session("t1", "old-cancelled").Get());
        Assert.Equal(SessionStatus.Denoising, (await cluster.Session("t1", "old-denoising").Get()).Status);
        Assert.Equal(2, (await cluster.Session("t1", "touched").Get()).Version);
        Assert.Equal(["old-denoising", "touched", "young"], (await Index(cluster, "t1").List(null, 10, null)).Data.Select(s => s.Id).Order());
        // Another tenant's sessions have their own index and sweep.
        Assert.Equal("other", (await cluster.Session("t2", "other-tenant").Get()).Text);
    }

    [Fact]
    public async Task Retention_zero_keeps_sessions_for_ever()
    {
        var clock = new FakeTimeProvider();
        await using var cluster = await TestCluster.Start(time: clock, sessions: o => o.RetentionDays = 0);
        await cluster.Session("t1", "kept").Create(new CreateSessionRequest("kept", []));

        clock.Advance(TimeSpan.FromDays(3650));

        Assert.Equal(0, await Index(cluster, "t1").SweepExpired());
        Assert.Equal("kept", (await cluster.Session("t1", "kept").Get()).Text);
    }

    [Fact]
    public async Task An_entry_whose_session_state_is_already_gone_is_dropped_by_the_sweep()
    {
        var clock = new FakeTimeProvider();
        await using var cluster = await TestCluster.Start(time: clock, sessions: o => o.RetentionDays = 0.5);
        var index = Index(cluster, "t1");
        var then = clock.GetUtcNow();
        await index.Upsert(new SessionSummary("ghost", SessionStatus.Idle, 3, then, then, 10));

        clock.Advance(TimeSpan.FromDays(1));
        await index.SweepExpired();

        Assert.Equal(0, await index.Count());
    }
}
