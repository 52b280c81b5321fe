namespace SeedGrains.Grains.Tenants;

/// <summary>Every tenant id, sorted (ordinal), so pages are stable.</summary>
[GenerateSerializer]
public sealed class TenantDirectoryState
{
    [Id(0)] public SortedSet<string> Tenants { get; set; } = new(StringComparer.Ordinal);
}
