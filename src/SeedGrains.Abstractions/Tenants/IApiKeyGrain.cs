namespace SeedGrains.Abstractions.Tenants;

/// <summary>Index from an API key's SHA-256 (lower-case hex, the grain key) to its tenant.</summary>
public interface IApiKeyGrain : IGrainWithStringKey
{
    /// <summary>The tenant owning this key hash, or null when the key is unknown or revoked.</summary>
    Task<string?> GetTenant();

    Task Assign(string tenant);

    Task Revoke(string tenant);
}
