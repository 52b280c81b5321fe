namespace SeedGrains.Abstractions.Tenants;

/// <summary>A freshly created key: the only time its <paramref name="Secret"/> exists outside the caller.</summary>
[GenerateSerializer, Immutable]
public sealed record IssuedApiKey(
    [property: Id(0)] ApiKeyInfo Info,
    [property: Id(1)] string Secret);
