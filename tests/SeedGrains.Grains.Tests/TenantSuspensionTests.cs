using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Tenants;

namespace SeedGrains.Grains.Tests;

/// <summary>A suspended tenant's denoising sessions hold still, also across a reactivation, and finish once it is resumed.</summary>
public sealed class TenantSuspensionTests
{
    [Fact]
    public async Task A_suspended_tenants_session_stops_stepping_stays_stopped_after_reactivation_and_finishes_on_resume()
    {
        await using var cluster = await TestCluster.Start();
        var tenant = cluster.Tenant("acme");
        await tenant.Create(TenantQuotas.Default);
        cluster.Stepper.Gate.Reset(); // the first step waits, so the session is surely denoising when suspended
        var session = cluster.Session("acme", "s1");
        await session.Create(new CreateSessionRequest("ab", [new TextRegion(1, 1, MaxTokens: 40)]));

        await cluster.Stepper.WhenCalls(1).WaitAsync(TimeSpan.FromSeconds(120)); // a step is under way (held at the gate)
        var suspending = tenant.SetStatus(TenantStatus.Suspended);
        cluster.Stepper.Gate.Set();
        await suspending;
        var held = await session.Get();
        var calls = cluster.Stepper.Calls;

        // Reactivate: the persisted flag must keep the resumed activation from stepping.
        await cluster.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var again = await session.Get();
        Assert.Equal(SessionStatus.Denoising, again.Status);
        Assert.True(again.Masked > 0, "the session finished while its tenant was suspended");
        Assert.Equal(held.Masked, again.Masked);
        Assert.Equal(calls, cluster.Stepper.Calls);

        await tenant.SetStatus(TenantStatus.Active);
        var final = (await session.UntilSettled())[^1].Snapshot;
        Assert.Equal(SessionStatus.Idle, final.Status);
    }
}
