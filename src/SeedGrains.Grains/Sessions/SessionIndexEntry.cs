using Microsoft.Extensions.Logging;
using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Tenants;

namespace SeedGrains.Grains.Sessions;

/// <summary>
/// The session's entry in its tenant's session index (kept in step at create, edit, settle and status changes — not
/// every step), and the tenant's stored-sessions quota, counted there.
/// </summary>
/// <param name="quotas">Reads the tenant's quotas.</param>
internal sealed class SessionIndexEntry(ISessionIndexGrain index, Func<Task<TenantQuotas>> quotas, TimeProvider time, ILogger logger, string tenant, string session, string key)
{
    /// <summary>
    /// Refuses a new stored session over the tenant's quota. Concurrent creates may pass the check together, so the
    /// quota can be exceeded by the number of creates racing at that moment.
    /// </summary>
    public async Task CheckStoredSessionsQuota()
    {
        var limits = await quotas();
        if (limits.MaxStoredSessions <= 0) return;
        var stored = await index.Count();
        if (stored >= limits.MaxStoredSessions)
            throw new QuotaExceededException(
                $"Tenant '{tenant}' already stores {stored} sessions (quota {limits.MaxStoredSessions}); delete sessions with ?purge=true or ask the operator to raise the quota.");
    }

    /// <summary>Best effort: the session's own state is the truth, and a failure here must not fail a change that is already stored.</summary>
    public async Task Record(SessionSnapshot snapshot)
    {
        var now = time.GetUtcNow();
        try
        {
            await index.Upsert(new SessionSummary(session, snapshot.Status, snapshot.Version, now, now, snapshot.Text.Length));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Recording session {Key} in its tenant's index failed", key);
        }
    }

    public Task Remove() => index.Remove(session);
}
