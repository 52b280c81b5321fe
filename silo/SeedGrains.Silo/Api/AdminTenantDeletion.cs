using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Limits;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Tenants;
using SeedGrains.Abstractions.Usage;
using SeedGrains.Postgres.Tenants;

namespace SeedGrains.Silo.Api;

/// <summary>
/// Deletes a tenant in the order that leaves nothing usable half-way: keys revoked first (refused at once on every
/// silo), then denoising sessions cancelled, the per-tenant data grains erased, the tenant forgotten, and last — on
/// PostgreSQL — every remaining row of the tenant removed (stored sessions, reminders). Each step is idempotent, so a
/// failed deletion is finished by asking again.
/// </summary>
internal sealed class AdminTenantDeletion(IGrainFactory grains, IServiceProvider services, ILogger<AdminTenantDeletion> logger)
{
    public async Task Delete(string tenant)
    {
        var grain = grains.GetGrain<ITenantGrain>(tenant);
        var plan = await AdminGrainCalls.Run(grain.BeginDelete);
        // Not from inside the tenant grain: a cancelled session gives its slot back to that grain, which would wait on itself.
        await Task.WhenAll(plan.ActiveSessions.Select(id => CancelQuietly(tenant, id)));
        await PurgeStoredSessions(tenant);
        await grains.GetGrain<ITenantUsageGrain>(TenantGrainKeys.Usage(tenant)).Erase();
        await grains.GetGrain<ITenantLimiterGrain>(TenantGrainKeys.Limiter(tenant)).Erase();
        await grains.GetGrain<ISessionIndexGrain>(TenantGrainKeys.SessionIndex(tenant)).Erase();
        await grain.CompleteDelete();
        if (services.GetService<PostgresTenantEraser>() is { } rows)
        {
            var removed = await rows.Erase(tenant, plan.KeyHashes);
            logger.LogInformation("Tenant {Tenant} deleted; {Rows} stored rows removed", tenant, removed);
        }
        else
        {
            logger.LogInformation("Tenant {Tenant} deleted", tenant);
        }
    }

    private async Task CancelQuietly(string tenant, string session)
    {
        try
        {
            await grains.GetGrain<ISessionGrain>(SessionKey.Of(tenant, session)).Cancel();
        }
        catch (SessionNotFoundException)
        {
            // Gone already: nothing to stop.
        }
    }

    /// <summary>
    /// Every session the tenant's index lists is purged (state, reminder, activation): on embedded storage this is the
    /// only way its sessions leave memory, and on PostgreSQL it also ends live activations before their rows go.
    /// </summary>
    private async Task PurgeStoredSessions(string tenant)
    {
        var index = grains.GetGrain<ISessionIndexGrain>(TenantGrainKeys.SessionIndex(tenant));
        string? cursor = null;
        do
        {
            var page = await index.List(status: null, limit: 100, cursor);
            foreach (var session in page.Data)
            {
                try
                {
                    await grains.GetGrain<ISessionGrain>(SessionKey.Of(tenant, session.Id)).Purge();
                }
                catch (SessionNotFoundException)
                {
                    // Gone already.
                }
            }
            cursor = page.NextCursor;
        }
        while (cursor is not null);
    }
}
