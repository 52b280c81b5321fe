using SeedGrains.Grains.Tenants;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Tenants;
using static SeedGrains.Grains.Tests.SessionWatching;

namespace SeedGrains.Grains.Tests;

/// <summary>A suspended tenant's denoising sessions hold still, also across a reactivation, and finish once it is resumed.</summary>
public sealed class TenantSuspensionTests
{
    [Fact]
    public async Task A_suspended_tenants_session_stops_stepping_stays_stopped_after_reactivation_and_finishes_on_resume()
    {
        const int budget = 40;
        await using var cluster = await TestCluster.Start();
        var tenant = cluster.Tenant("acme");
        await tenant.Create(TenantQuotas.Default);
        cluster.Stepper.Gate.Reset(); // the first step waits, so the session is surely denoising when suspended
        var session = cluster.Session("acme", "s1");
        var created = await session.Create(new CreateSessionRequest("ab", [new TextRegion(1, 1, MaxTokens: budget)]));

        // Suspend while the first step is held in the model, and only then let that step return: the session must
        // discard it. (Opening the gate before the suspension had reached the session would let the step commit
        // first, and the document would move by one token — a race, not a property of suspension.)
        await cluster.Stepper.WhenCalls(1).WaitAsync(TimeSpan.FromSeconds(120));
        await TenantSuspension.SetStatus(cluster.Grains, "acme", TenantStatus.Suspended);
        cluster.Stepper.Gate.Set();
        await cluster.Stepper.WhenReturned(1).WaitAsync(TimeSpan.FromSeconds(120));
        var held = await session.Get();
        Assert.Equal((created.Version, created.Text, budget), (held.Version, held.Text, held.Masked));

        // Reactivate: the deactivation waits for the session's running tick (the discarded step), and the persisted
        // flag must keep the new activation from stepping.
        await cluster.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var again = await session.Get();
        Assert.Equal(SessionStatus.Denoising, again.Status);
        // The document did not move: not a token of the step in flight, nor of any later one. (Its version does jump
        // on reactivation, by design: a resumed session skips every version unsaved steps might have shown.)
        Assert.Equal((created.Text, budget), (again.Text, again.Masked));
        Assert.Equal(1, cluster.Stepper.Calls);

        await TenantSuspension.SetStatus(cluster.Grains, "acme", TenantStatus.Active);
        var final = (await session.UntilSettled())[^1].Snapshot;
        Assert.Equal(SessionStatus.Idle, final.Status);
        Assert.Equal(0, final.Masked);
        Assert.Equal("a" + FakeLetters(1, budget) + "b", final.Text);
    }
}

/// <summary>
/// Suspending a tenant at the moment one of its sessions settles. The settling session returns its slot to the tenant
/// grain from inside its own turn; if the tenant grain told the session of the suspension from inside its turn, each
/// would wait on the other until the 30 s call timeout. Grain call filters hold the session's slot return until the
/// suspension is under way, so the two meet every time rather than by chance.
/// </summary>
public sealed class TenantSuspensionWhileSettlingTests
{
    [Fact]
    public async Task Suspending_while_a_session_returns_its_slot_completes_and_the_slot_is_returned()
    {
        var releaseReached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tenantTurnDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sessionToldFromSilo = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var cluster = await TestCluster.Start(configure: silo => silo
            .AddOutgoingGrainCallFilter(async call =>
            {
                if (call.InterfaceMethod?.Name == nameof(ITenantGrain.ReleaseSessionSlot))
                {
                    releaseReached.TrySetResult();
                    await releaseGate.Task; // inside the session's turn: the session is busy until the gate opens
                }
                if (call.InterfaceMethod?.Name == nameof(ISessionGrain.SetSuspended)) sessionToldFromSilo.TrySetResult();
                await call.Invoke();
            })
            .AddIncomingGrainCallFilter(async call =>
            {
                await call.Invoke();
                if (call.InterfaceMethod?.Name == nameof(ITenantGrain.SetStatus)) tenantTurnDone.TrySetResult();
            }));
        var tenant = cluster.Tenant("acme");
        await tenant.Create(TenantQuotas.Default);
        var session = cluster.Session("acme", "s1");
        await session.Create(new CreateSessionRequest("ab", [new TextRegion(1, 1, MaxTokens: 1)]));
        await releaseReached.Task.WaitAsync(TimeSpan.FromSeconds(120));

        var suspending = TenantSuspension.SetStatus(cluster.Grains, "acme", TenantStatus.Suspended);
        // Either the tenant grain's turn has ended (it leaves the sessions to the caller), or it is waiting on the
        // session inside its turn — the deadlock this test exists to catch.
        await Task.WhenAny(tenantTurnDone.Task, sessionToldFromSilo.Task).WaitAsync(TimeSpan.FromSeconds(120));
        releaseGate.SetResult();

        var info = await suspending.WaitAsync(TimeSpan.FromSeconds(120));
        Assert.Equal(TenantStatus.Suspended, info.Status);
        Assert.False(sessionToldFromSilo.Task.IsCompleted, "the tenant grain called a session from inside its turn");
        Assert.Empty(await tenant.GetDenoisingSessions());
        Assert.Equal(0, (await session.Get()).Masked);
    }
}
