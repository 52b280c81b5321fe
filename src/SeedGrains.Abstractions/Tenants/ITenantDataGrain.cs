namespace SeedGrains.Abstractions.Tenants;

/// <summary>A grain holding part of one tenant's data; deleting the tenant erases it (state cleared, activation gone).</summary>
public interface ITenantDataGrain : IGrainWithStringKey
{
    /// <summary>Clears the grain's stored state and deactivates it. Idempotent.</summary>
    Task Erase();
}
