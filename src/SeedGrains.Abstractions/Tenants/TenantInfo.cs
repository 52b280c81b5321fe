namespace SeedGrains.Abstractions.Tenants;

/// <summary>What an operator sees of one tenant.</summary>
[GenerateSerializer, Immutable]
public sealed record TenantInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] TenantStatus Status,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] TenantQuotas Quotas,
    [property: Id(4)] TenantUsage Usage);
