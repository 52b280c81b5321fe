namespace SeedGrains.Grains.Tenants;

/// <summary>What a tenant remembers of one of its keys: the hash (to revoke it) and what listing shows.</summary>
[GenerateSerializer]
public sealed class ApiKeyEntry
{
    [Id(0)] public string Hash { get; set; } = "";
    [Id(1)] public string? Name { get; set; }
    [Id(2)] public string Prefix { get; set; } = "";
    [Id(3)] public DateTimeOffset CreatedAt { get; set; }
    [Id(4)] public DateTimeOffset? ExpiresAt { get; set; }
}
