using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Tenants;

namespace SeedGrains.Grains.Tenants;

/// <summary>
/// Suspends or resumes a tenant, then its denoising sessions (they hold still while suspended, and go on when resumed).
/// The sessions are told from here, after the tenant grain's turn, and not by the tenant grain itself: a session that
/// settles at that moment gives its slot back to the tenant grain from inside its own turn, so a tenant grain waiting
/// on that session would wait on itself — a deadlock until the 30 s call timeout (it happened under load in CI).
/// Idempotent, like each call it makes: a suspension that failed half-way is finished by asking again.
/// </summary>
public static class TenantSuspension
{
    public static async Task<TenantInfo> SetStatus(IGrainFactory grains, string tenant, TenantStatus status)
    {
        var grain = grains.GetGrain<ITenantGrain>(tenant);
        var info = await grain.SetStatus(status);
        var sessions = await grain.GetDenoisingSessions();
        var suspended = status == TenantStatus.Suspended;
        await Task.WhenAll(sessions.Select(id => grains.GetGrain<ISessionGrain>(SessionKey.Of(tenant, id)).SetSuspended(suspended)));
        return info;
    }
}
