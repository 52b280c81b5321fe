namespace SeedGrains.Abstractions.Tenants;

/// <summary>A valid key's owner, and whether that tenant is suspended (so authentication needs one grain call).</summary>
[GenerateSerializer, Immutable]
public sealed record ApiKeyLookup(
    [property: Id(0)] string Tenant,
    [property: Id(1)] bool Suspended);
