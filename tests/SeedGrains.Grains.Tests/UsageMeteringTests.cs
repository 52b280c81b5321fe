using Microsoft.Extensions.Time.Testing;
using Orleans.Runtime;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Tenants;
using SeedGrains.Abstractions.Usage;
using static SeedGrains.Grains.Tests.SessionWatching;

namespace SeedGrains.Grains.Tests;

/// <summary>Hourly usage metering: the usage grain itself, and exact totals for a known workload run on two silos.</summary>
public sealed class UsageMeteringTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 10, 30, 0, TimeSpan.Zero);

    [Fact]
    public async Task Reports_add_up_per_hour_and_ranges_select_the_overlapping_hours()
    {
        var time = new FakeTimeProvider(Start);
        await using var cluster = await TestCluster.Start(time: time);
        var usage = Usage(cluster, "hours");

        await usage.Record(new UsageDelta(SessionsCreated: 1, Steps: 4, GeneratedTokens: 8, PromptTokens: 40));
        await usage.Record(new UsageDelta(Completions: 2, RejectedByReason: new Dictionary<string, long> { ["quota"] = 1 }));
        time.Advance(TimeSpan.FromHours(1));
        await usage.Record(new UsageDelta(Steps: 1, GeneratedTokens: 3, RejectedByReason: new Dictionary<string, long> { ["quota"] = 2, ["rate_limit"] = 5 }));

        var all = await usage.Get(Start.AddHours(-5), Start.AddHours(5));
        Assert.Equal(2, all.Count);
        var first = all[0];
        Assert.Equal(new DateTimeOffset(2026, 1, 5, 10, 0, 0, TimeSpan.Zero), first.Hour);
        Assert.Equal((1L, 2L, 4L, 8L, 40L), (first.SessionsCreated, first.Completions, first.Steps, first.GeneratedTokens, first.PromptTokens));
        Assert.Equal(1, first.RejectedByReason["quota"]);
        Assert.Equal(new DateTimeOffset(2026, 1, 5, 11, 0, 0, TimeSpan.Zero), all[1].Hour);
        Assert.Equal(5, all[1].RejectedByReason["rate_limit"]);

        // [10:45, 11:00) overlaps only the 10:00 hour; [11:00, 11:01) only the 11:00 hour.
        Assert.Equal([first.Hour], (await usage.Get(Start.AddMinutes(15), Start.AddMinutes(30))).Select(h => h.Hour));
        Assert.Equal([all[1].Hour], (await usage.Get(Start.AddMinutes(30), Start.AddMinutes(31))).Select(h => h.Hour));
    }

    [Fact]
    public async Task Hours_past_the_retention_are_dropped_and_erase_clears_everything()
    {
        var time = new FakeTimeProvider(Start);
        await using var cluster = await TestCluster.Start(time: time);
        var usage = Usage(cluster, "old");
        await usage.Record(new UsageDelta(Steps: 1));

        time.Advance(TimeSpan.FromDays(91)); // default retention: 90 days
        await usage.Record(new UsageDelta(Steps: 2));
        var kept = await usage.Get(Start.AddDays(-1), Start.AddDays(100));
        Assert.Equal([2L], kept.Select(h => h.Steps));

        await usage.Erase();
        Assert.Empty(await Usage(cluster, "old").Get(Start.AddDays(-1), Start.AddDays(100)));
    }

    [Fact]
    public async Task Metered_tokens_and_steps_equal_what_sessions_on_two_silos_committed()
    {
        // Two tokens per step, so steps and tokens differ; checkpoints every 3 steps, so reports come at checkpoints
        // as well as at settling. Sessions are created alternately through each silo's own grain factory and placed
        // where they are called, so both silos host (and report for) half of them — the default placement may put
        // all of them on one silo.
        await using var cluster = await TestCluster.Start(silos: 2, sessions: o => o.CheckpointEverySteps = 3, sessionsWhereCalled: true);
        cluster.Stepper.CommitsPerRow = 2;
        const string tenant = "metered";
        var created = new List<(ISessionGrain Session, SessionSnapshot Snapshot)>();
        for (var i = 0; i < 16; i++)
        {
            var session = cluster.SessionOnSilo(i % 2, tenant, $"s{i}");
            var text = $"// {i}\n";
            created.Add((session, await session.Create(new CreateSessionRequest(text, [new TextRegion(text.Length, text.Length, 5 + i)]))));
        }
        var settled = new List<SessionSnapshot>();
        foreach (var (session, _) in created)
            settled.Add((await session.UntilSettled())[^1].Snapshot);

        var perSilo = await SessionsPerSilo(cluster, created.Count);
        Assert.Equal([8, 8], perSilo);
        Assert.All(settled, s => Assert.Equal(SessionStatus.Idle, s.Status));
        var expectedTokens = created.Sum(c => (long)c.Snapshot.Masked);
        // Every step commits at least one token and moves the version by one; nothing else moves it here.
        var expectedSteps = settled.Sum(s => s.Version - 1);
        var expectedPrompt = cluster.Stepper.Batches.Sum(b => b.Sum(row => (long)row.Length));
        Assert.Equal(expectedSteps, cluster.Stepper.RowsSeen); // the stepper served this tenant only

        var usage = Usage(cluster, tenant);
        var window = (From: DateTimeOffset.UtcNow.AddHours(-2), To: DateTimeOffset.UtcNow.AddHours(2));
        // Sessions report right after they announce "idle"; no signal reaches the test, so wait for the totals to arrive.
        await Eventually(async () => Totals(await usage.Get(window.From, window.To)).Tokens >= expectedTokens, "usage reported", seconds: 30);
        var totals = Totals(await usage.Get(window.From, window.To));

        Assert.Equal(expectedTokens, totals.Tokens);
        Assert.Equal(expectedSteps, totals.Steps);
        Assert.Equal(expectedPrompt, totals.Prompt);
        Assert.Equal(created.Count, totals.Sessions);
    }

    private static (long Tokens, long Steps, long Prompt, long Sessions) Totals(IReadOnlyList<UsageHour> hours) =>
        (hours.Sum(h => h.GeneratedTokens), hours.Sum(h => h.Steps), hours.Sum(h => h.PromptTokens), hours.Sum(h => h.SessionsCreated));

    /// <summary>How many of the test's session activations each silo of the cluster hosts (0 for a silo with none).</summary>
    private static async Task<int[]> SessionsPerSilo(TestCluster cluster, int sessions)
    {
        var management = cluster.Grains.GetGrain<IManagementGrain>(0);
        var stats = (await management.GetDetailedGrainStatistics()).Where(s => s.GrainId.Key.ToString()!.StartsWith("metered/s", StringComparison.Ordinal)).ToList();
        Assert.Equal(sessions, stats.Count);
        return cluster.Cluster.Silos.Select(silo => stats.Count(s => s.SiloAddress.Equals(silo.SiloAddress))).ToArray();
    }

    private static ITenantUsageGrain Usage(TestCluster cluster, string tenant) =>
        cluster.Grains.GetGrain<ITenantUsageGrain>(TenantGrainKeys.Usage(tenant));
}
