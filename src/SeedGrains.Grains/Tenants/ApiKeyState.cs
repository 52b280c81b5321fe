namespace SeedGrains.Grains.Tenants;

/// <summary>Which tenant an API key hash belongs to, and what authentication needs to know about the key.</summary>
[GenerateSerializer]
public sealed class ApiKeyState
{
    [Id(0)] public string? Tenant { get; set; }
    [Id(1)] public string? KeyId { get; set; }
    [Id(2)] public DateTimeOffset? ExpiresAt { get; set; }
    [Id(3)] public DateTimeOffset? LastUsedAt { get; set; }
    [Id(4)] public bool Suspended { get; set; }
}
