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
}
