namespace SeedGrains.Abstractions.Tenants;

/// <summary>One page of tenant ids in id order; <paramref name="NextCursor"/> is null on the last page.</summary>
[GenerateSerializer, Immutable]
public sealed record TenantDirectoryPage(
    [property: Id(0)] IReadOnlyList<string> Ids,
    [property: Id(1)] string? NextCursor);
