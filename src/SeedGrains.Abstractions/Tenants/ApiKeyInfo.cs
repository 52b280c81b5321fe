namespace SeedGrains.Abstractions.Tenants;

/// <summary>An API key as listed: never its secret nor its hash. <paramref name="Prefix"/> is the secret's first 8 characters, to tell keys apart.</summary>
[GenerateSerializer, Immutable]
public sealed record ApiKeyInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string? Name,
    [property: Id(2)] string Prefix,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] DateTimeOffset? LastUsedAt,
    [property: Id(5)] DateTimeOffset? ExpiresAt);
