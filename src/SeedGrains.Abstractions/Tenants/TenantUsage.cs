namespace SeedGrains.Abstractions.Tenants;

/// <summary>Usage counters of one tenant.</summary>
/// <param name="ActiveSessions">Sessions holding a denoising slot now.</param>
/// <param name="SessionsStarted">Slots granted over the tenant's life (each create or regenerating edit).</param>
/// <param name="TokensGenerated">Tokens committed by the model for this tenant.</param>
[GenerateSerializer, Immutable]
public sealed record TenantUsage(
    [property: Id(0)] int ActiveSessions,
    [property: Id(1)] long SessionsStarted,
    [property: Id(2)] long TokensGenerated);
