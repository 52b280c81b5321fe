using SeedGrains.Abstractions.Tenants;

namespace SeedGrains.Abstractions.Usage;

/// <summary>
/// Per-tenant usage metering, per hour (key <see cref="TenantGrainKeys.Usage"/>): one activation cluster-wide, so
/// reports from every silo add up exactly. Persisted (PostgreSQL when configured).
/// </summary>
public interface ITenantUsageGrain : ITenantDataGrain
{
    Task Record(UsageDelta delta);

    /// <summary>The hours in [from, to), oldest first.</summary>
    Task<IReadOnlyList<UsageHour>> Get(DateTimeOffset from, DateTimeOffset to);
}
