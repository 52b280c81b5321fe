using Microsoft.Extensions.Time.Testing;
using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Tenants;

namespace SeedGrains.Grains.Tests;

/// <summary>The tenant's session index: kept by the sessions, listed newest first with a cursor, bounded by the stored-sessions quota, cleared by purge and erase.</summary>
public sealed class SessionIndexTests
{
    private static ISessionIndexGrain Index(TestCluster cluster, string tenant) =>
        cluster.Grains.GetGrain<ISessionIndexGrain>(TenantGrainKeys.SessionIndex(tenant));

    /// <summary>Creates idle sessions one clock second apart, so their order is known.</summary>
    private static async Task CreateIdle(TestCluster cluster, FakeTimeProvider clock, string tenant, IEnumerable<string> ids)
    {
        foreach (var id in ids)
        {
            await cluster.Session(tenant, id).Create(new CreateSessionRequest($"text of {id}", []));
            clock.Advance(TimeSpan.FromSeconds(1));
        }
    }

    [Fact]
    public async Task Sessions_are_listed_newest_first_and_every_page_follows_the_cursor_without_repeats_or_gaps()
    {
        var clock = new FakeTimeProvider();
        await using var cluster = await TestCluster.Start(time: clock);
        var ids = Enumerable.Range(0, 25).Select(i => $"s{i:D2}").ToList();
        await CreateIdle(cluster, clock, "t1", ids);
        await CreateIdle(cluster, clock, "t2", ["other"]);

        var seen = new List<SessionSummary>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await Index(cluster, "t1").List(null, 10, cursor);
            seen.AddRange(page.Data);
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Reverse(ids), seen.Select(s => s.Id));
        Assert.All(seen, s => Assert.Equal(SessionStatus.Idle, s.Status));
        Assert.All(seen, s => Assert.Equal(1, s.Version));
        Assert.Equal("text of s07".Length, seen.Single(s => s.Id == "s07").Size);
        Assert.Equal(25, await Index(cluster, "t1").Count());
        Assert.Equal("other", Assert.Single((await Index(cluster, "t2").List(null, 10, null)).Data).Id);
    }

    [Fact]
    public async Task An_edit_updates_the_entry_and_keeps_its_created_time_and_place()
    {
        var clock = new FakeTimeProvider();
        await using var cluster = await TestCluster.Start(time: clock);
        await CreateIdle(cluster, clock, "t1", ["a", "b"]);
        var created = (await Index(cluster, "t1").List(null, 10, null)).Data.Single(s => s.Id == "a").Created;
        clock.Advance(TimeSpan.FromMinutes(5));

        await cluster.Session("t1", "a").Edit(new EditRequest(1, [new TextEdit(0, 0, "more ")], []));

        var entries = (await Index(cluster, "t1").List(null, 10, null)).Data;
        Assert.Equal(["b", "a"], entries.Select(s => s.Id));
        var a = entries[1];
        Assert.Equal(2, a.Version);
        Assert.Equal(created, a.Created);
        Assert.Equal(clock.GetUtcNow(), a.Updated);
        Assert.Equal("more text of a".Length, a.Size);
    }

    [Fact]
    public async Task The_status_filter_lists_only_sessions_of_that_status()
    {
        var clock = new FakeTimeProvider();
        await using var cluster = await TestCluster.Start(time: clock);
        cluster.Stepper.Gate.Reset(); // denoising sessions stay denoising
        await CreateIdle(cluster, clock, "t1", ["idle1", "idle2"]);
        await cluster.Session("t1", "busy").Create(new CreateSessionRequest("ab", [new TextRegion(1, 1, MaxTokens: 4)]));
        await cluster.Session("t1", "stopped").Create(new CreateSessionRequest("cd", [new TextRegion(1, 1, MaxTokens: 4)]));
        await cluster.Session("t1", "stopped").Cancel();

        var index = Index(cluster, "t1");
        Assert.Equal(["busy"], (await index.List(SessionStatus.Denoising, 10, null)).Data.Select(s => s.Id));
        Assert.Equal(["stopped"], (await index.List(SessionStatus.Cancelled, 10, null)).Data.Select(s => s.Id));
        Assert.Equal(["idle2", "idle1"], (await index.List(SessionStatus.Idle, 10, null)).Data.Select(s => s.Id));
    }

    [Fact]
    public async Task A_cursor_the_index_did_not_issue_is_an_invalid_request()
    {
        await using var cluster = await TestCluster.Start();
        await Assert.ThrowsAsync<InvalidSessionRequestException>(() => Index(cluster, "t1").List(null, 10, "not-a-cursor!"));
        await Assert.ThrowsAsync<InvalidSessionRequestException>(() => Index(cluster, "t1").List(null, 10, "bm9jb2xvbg")); // "nocolon"
    }

    [Fact]
    public async Task Purge_removes_a_denoising_session_its_state_its_entry_and_its_tenant_slot()
    {
        await using var cluster = await TestCluster.Start();
        cluster.Stepper.Gate.Reset();
        var session = cluster.Session("t1", "doomed");
        await session.Create(new CreateSessionRequest("ab", [new TextRegion(1, 1, MaxTokens: 4)]));
        await cluster.Stepper.WhenCalls(1).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, (await cluster.Tenant("t1").GetUsage()).ActiveSessions);

        await session.Purge();

        await Assert.ThrowsAsync<SessionNotFoundException>(() => session.Get());
        Assert.Equal(0, await Index(cluster, "t1").Count());
        Assert.Equal(0, (await cluster.Tenant("t1").GetUsage()).ActiveSessions);
        cluster.Stepper.Gate.Set();
        // Gone for good: the id can start a new document at version 1.
        var again = await session.Create(new CreateSessionRequest("fresh", []));
        Assert.Equal(1, again.Version);
        Assert.Equal("fresh", again.Text);
    }

    [Fact]
    public async Task Purging_an_unknown_session_is_not_found()
    {
        await using var cluster = await TestCluster.Start();
        await Assert.ThrowsAsync<SessionNotFoundException>(() => cluster.Session("t1", "never").Purge());
    }

    [Fact]
    public async Task A_create_beyond_the_stored_sessions_quota_is_refused_until_a_session_is_purged()
    {
        await using var cluster = await TestCluster.Start();
        await cluster.Tenant("t1").SetQuotas(TenantQuotas.Default with { MaxStoredSessions = 2 });
        await cluster.Session("t1", "a").Create(new CreateSessionRequest("a", []));
        await cluster.Session("t1", "b").Create(new CreateSessionRequest("b", []));

        var refused = await Assert.ThrowsAsync<QuotaExceededException>(() => cluster.Session("t1", "c").Create(new CreateSessionRequest("c", [])));
        Assert.Contains("quota 2", refused.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<SessionNotFoundException>(() => cluster.Session("t1", "c").Get());
        // Transient (completion) sessions are not stored, so the quota does not apply to them.
        await cluster.Session("t1", "cmpl-x").Create(new CreateSessionRequest("x", [], Transient: true));

        await cluster.Session("t1", "a").Purge();
        await cluster.Session("t1", "c").Create(new CreateSessionRequest("c", []));
        Assert.Equal(["b", "c"], (await Index(cluster, "t1").List(null, 10, null)).Data.Select(s => s.Id).Order());
    }

    [Fact]
    public async Task Erase_clears_the_index()
    {
        await using var cluster = await TestCluster.Start();
        await cluster.Session("t1", "a").Create(new CreateSessionRequest("a", []));

        await Index(cluster, "t1").Erase();

        Assert.Equal(0, await Index(cluster, "t1").Count());
        Assert.Empty((await Index(cluster, "t1").List(null, 10, null)).Data);
    }

    [Fact]
    public async Task Concurrent_changes_share_writes_and_none_is_lost()
    {
        await using var cluster = await TestCluster.Start();
        var ids = Enumerable.Range(0, 200).Select(i => $"c{i:D3}").ToList();

        await Task.WhenAll(ids.Select(id => cluster.Session("t1", id).Create(new CreateSessionRequest(id, []))));

        Assert.Equal(200, await Index(cluster, "t1").Count());
        await Task.WhenAll(ids.Take(50).Select(id => cluster.Session("t1", id).Purge()));
        var listed = new List<string>();
        string? cursor = null;
        do
        {
            var page = await Index(cluster, "t1").List(null, 100, cursor);
            listed.AddRange(page.Data.Select(s => s.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        Assert.Equal(ids.Skip(50).Order(), listed.Order());
    }
}
