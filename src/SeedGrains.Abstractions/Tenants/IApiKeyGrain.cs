namespace SeedGrains.Abstractions.Tenants;

/// <summary>Index from an API key's SHA-256 (lower-case hex, the grain key) to its tenant.</summary>
public interface IApiKeyGrain : IGrainWithStringKey
{
    /// <summary>The tenant owning this key hash, or null when the key is unknown or revoked.</summary>
    Task<string?> GetTenant();

    Task Assign(string tenant);

    /// <summary>Revoking clears the entry (its stored row goes too): the key is unknown from then on, on every silo.</summary>
    Task Revoke(string tenant);

    /// <summary>
    /// The owner of a valid key (not revoked, not expired) and whether it is suspended, or null; notes the use (in
    /// memory, written at most once a minute).
    /// </summary>
    Task<ApiKeyLookup?> Lookup();

    /// <summary>Assigns a key created through the admin API, with its id and expiry.</summary>
    Task Issue(string tenant, string keyId, DateTimeOffset? expiresAt);

    /// <summary>When the key was last used (as far as this activation or its last write knows).</summary>
    Task<DateTimeOffset?> GetLastUsed();

    /// <summary>Set by the owning tenant when it is suspended or resumed.</summary>
    Task SetSuspended(string tenant, bool suspended);
}
