using SeedGrains.Abstractions.Tenants;

namespace SeedGrains.Abstractions.Sessions;

/// <summary>
/// The sessions one tenant owns (key <see cref="TenantGrainKeys.SessionIndex"/>), kept by the session grains as they
/// are created, change status and are removed, so listing, counting (the stored-sessions quota), retention and
/// tenant deletion never activate every session.
/// </summary>
public interface ISessionIndexGrain : ITenantDataGrain
{
    /// <summary>Adds or updates an entry.</summary>
    Task Upsert(SessionSummary summary);

    Task Remove(string sessionId);

    Task<int> Count();

    /// <summary>Sessions, newest first, optionally of one status.</summary>
    Task<SessionPage> List(SessionStatus? status, int limit, string? cursor);
}
