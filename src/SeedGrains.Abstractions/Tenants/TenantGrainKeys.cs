namespace SeedGrains.Abstractions.Tenants;

/// <summary>
/// Keys of the grains that hold one tenant's data besides its sessions (<c>tenant/session</c>). Each starts with
/// <c>tenant/</c>, so the storage row's generated <c>tenant</c> column names its owner and deleting a tenant's rows
/// is one query by tenant. (The tenant grain itself is keyed by the bare tenant id, API key grains by key hash.)
/// </summary>
public static class TenantGrainKeys
{
    public static string Usage(string tenant) => $"{tenant}/~usage";

    public static string SessionIndex(string tenant) => $"{tenant}/~sessions";

    public static string Limiter(string tenant) => $"{tenant}/~limits";
}
