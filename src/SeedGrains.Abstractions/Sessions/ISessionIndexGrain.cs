using SeedGrains.Abstractions.Tenants;

namespace SeedGrains.Abstractions.Sessions;

/// <summary>
/// The sessions one tenant owns (key <see cref="TenantGrainKeys.SessionIndex"/>), kept by the session grains as they
/// are created, change status and are removed, so listing, counting (the stored-sessions quota), retention and
/// tenant deletion never activate every session.
/// </summary>
public interface ISessionIndexGrain : ITenantDataGrain
{
    /// <summary>Adds or updates an entry. An existing entry keeps its <see cref="SessionSummary.Created"/>.</summary>
    Task Upsert(SessionSummary summary);

    /// <summary>Removes an entry. Idempotent.</summary>
    Task Remove(string sessionId);

    Task<int> Count();

    /// <summary>
    /// Sessions, newest first, optionally of one status. Throws <see cref="Errors.InvalidSessionRequestException"/>
    /// for a cursor this index did not issue.
    /// </summary>
    Task<SessionPage> List(SessionStatus? status, int limit, string? cursor);

    /// <summary>
    /// The retention sweep (also run by the index's own reminder): purges every session that is not denoising and was
    /// not updated for <c>Sessions:RetentionDays</c>. Returns how many were purged.
    /// </summary>
    Task<int> SweepExpired();
}
