using Orleans.Concurrency;

namespace SeedGrains.Abstractions.Tenants;

/// <summary>
/// A tenant (key: tenant id): API keys stored as SHA-256 hashes, quotas and usage. Keys are looked up through
/// <see cref="IApiKeyGrain"/> (keyed by the hash), which this grain keeps in step.
/// </summary>
public interface ITenantGrain : IGrainWithStringKey
{
    /// <summary>Adds an API key (only its hash is stored). Idempotent.</summary>
    Task AddApiKey(string apiKey);

    Task RevokeApiKey(string apiKey);

    Task SetQuotas(TenantQuotas quotas);

    Task<TenantQuotas> GetQuotas();

    Task<TenantUsage> GetUsage();

    /// <summary>
    /// Claims a denoising slot for <paramref name="session"/> (idempotent per session); throws
    /// <see cref="Errors.QuotaExceededException"/> when the tenant already has its maximum of denoising sessions.
    /// </summary>
    Task AcquireSessionSlot(string session);

    /// <summary>Returns the slot and adds the tokens the session generated.</summary>
    Task ReleaseSessionSlot(string session, long tokensGenerated);

    // Administration (operator API). A tenant "exists" once created here or given a key (the seeded dev tenant).

    /// <summary>Creates the tenant; throws <see cref="Errors.TenantExistsException"/> when it exists.</summary>
    Task<TenantInfo> Create(TenantQuotas quotas);

    /// <summary>Throws <see cref="Errors.TenantNotFoundException"/> when the tenant does not exist.</summary>
    Task<TenantInfo> GetInfo();

    /// <summary>
    /// Suspends or resumes the tenant and marks its keys (they answer "suspended"). Idempotent. Its denoising sessions
    /// are told by the caller afterwards (<see cref="GetDenoisingSessions"/>), never from inside this grain: a session
    /// that finishes at that moment returns its slot to this grain from inside its own turn, so this grain waiting on
    /// that session would wait on itself until the call timed out.
    /// </summary>
    Task<TenantInfo> SetStatus(TenantStatus status);

    /// <summary>The ids of the tenant's sessions that hold a denoising slot.</summary>
    [ReadOnly]
    Task<IReadOnlyList<string>> GetDenoisingSessions();

    /// <summary>A new key (optional name and expiry); the secret is in the answer and nowhere else.</summary>
    Task<IssuedApiKey> CreateApiKey(string? name, DateTimeOffset? expiresAt);

    Task<IReadOnlyList<ApiKeyInfo>> ListApiKeys();

    /// <summary>Revokes by key id; throws <see cref="Errors.TenantNotFoundException"/> for an unknown id.</summary>
    Task RevokeApiKeyById(string keyId);

    /// <summary>
    /// First half of deleting the tenant: marks it deleted (lookups of its keys fail from now on), revokes every key
    /// and answers what the caller must still clean up. The caller then cancels the sessions (which call back into
    /// this grain, so it cannot do that itself), erases the per-tenant data grains and calls
    /// <see cref="CompleteDelete"/>. Idempotent.
    /// </summary>
    Task<TenantDeletionPlan> BeginDelete();

    /// <summary>Forgets the tenant (directory entry, own stored state). Idempotent.</summary>
    Task CompleteDelete();
}
