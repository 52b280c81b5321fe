namespace SeedGrains.Abstractions.Tenants;

/// <summary>Limits of one tenant. <paramref name="MaxConcurrentSessions"/> counts sessions that are denoising.</summary>
[GenerateSerializer, Immutable]
public sealed record TenantQuotas(
    [property: Id(0)] int MaxConcurrentSessions = 64,
    [property: Id(1)] int MaxTextChars = 200_000)
{
    public static TenantQuotas Default { get; } = new();
}
