namespace SeedGrains.Abstractions.Tenants;

/// <summary>What is left to clean up once a tenant's keys are revoked: its denoising sessions (ids, not keys) and the hashes its keys had.</summary>
[GenerateSerializer, Immutable]
public sealed record TenantDeletionPlan(
    [property: Id(0)] IReadOnlyList<string> ActiveSessions,
    [property: Id(1)] IReadOnlyList<string> KeyHashes);
