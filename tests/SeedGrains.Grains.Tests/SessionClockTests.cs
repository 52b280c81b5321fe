using Microsoft.Extensions.Time.Testing;
using SeedGrains.Abstractions.Sessions;

namespace SeedGrains.Grains.Tests;

/// <summary>Sessions keep their back-off and timeouts on the service's clock, so tests move time instead of waiting it out.</summary>
public sealed class SessionClockTests
{
    [Fact]
    public async Task A_session_no_worker_can_reach_fails_once_its_clock_passes_the_unavailable_timeout()
    {
        var clock = new FakeTimeProvider();
        var time = new SignallingTimeProvider(clock);
        await using var cluster = await TestCluster.Start(hostsWorkers: _ => false, sessions: o => o.UnavailableTimeoutSeconds = 30, time: time);
        var session = cluster.Session("t1", "nowhere");
        await session.Create(new CreateSessionRequest("ab", [new TextRegion(1, 1, MaxTokens: 2)]));

        // The first denoising tick reads the clock six times (its retry time, the locator's pick and worker list, then
        // the failure's start, age and next retry); later ticks, waiting for their retry time, read it once each. Six
        // reads after the create therefore mean the first failure has been noted.
        await time.WhenReads(time.Reads + 6).WaitAsync(TimeSpan.FromSeconds(120));
        // However much real time passes, the session's clock has not moved: it is still trying.
        Assert.Equal(SessionStatus.Denoising, (await session.Get()).Status);

        clock.Advance(TimeSpan.FromSeconds(31));
        var final = (await session.UntilSettled())[^1].Snapshot;

        Assert.Equal(SessionStatus.Failed, final.Status);
        Assert.Contains("stayed unreachable for 30 s", final.Error, StringComparison.Ordinal);
    }
}
