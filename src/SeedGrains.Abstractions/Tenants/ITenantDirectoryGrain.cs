namespace SeedGrains.Abstractions.Tenants;

/// <summary>
/// Every tenant's id (one grain, key <see cref="Key"/>), so that listing tenants never activates them. Tenant grains
/// add themselves when they come to exist and remove themselves when deleted.
/// </summary>
public interface ITenantDirectoryGrain : IGrainWithStringKey
{
    /// <summary>The single directory's key; '~' cannot occur in a tenant id, so it names no tenant's rows.</summary>
    public const string Key = "~directory";

    /// <summary>Idempotent.</summary>
    Task Add(string tenant);

    /// <summary>Idempotent.</summary>
    Task Remove(string tenant);

    /// <summary>Up to <paramref name="limit"/> ids after <paramref name="cursor"/> (opaque, from a previous page).</summary>
    Task<TenantDirectoryPage> List(int limit, string? cursor);
}
