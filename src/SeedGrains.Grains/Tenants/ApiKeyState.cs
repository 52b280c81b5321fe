namespace SeedGrains.Grains.Tenants;

/// <summary>Which tenant an API key hash belongs to.</summary>
[GenerateSerializer]
public sealed class ApiKeyState
{
    [Id(0)] public string? Tenant { get; set; }
}
