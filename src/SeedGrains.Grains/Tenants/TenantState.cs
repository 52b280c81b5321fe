using SeedGrains.Abstractions.Tenants;

namespace SeedGrains.Grains.Tenants;

/// <summary>Persisted tenant: key hashes (never keys), quotas, usage, and the sessions holding a denoising slot.</summary>
[GenerateSerializer]
public sealed class TenantState
{
    [Id(0)] public HashSet<string> ApiKeyHashes { get; set; } = new(StringComparer.Ordinal);
    [Id(1)] public TenantQuotas Quotas { get; set; } = TenantQuotas.Default;
    [Id(2)] public HashSet<string> ActiveSessions { get; set; } = new(StringComparer.Ordinal);
    [Id(3)] public long SessionsStarted { get; set; }
    [Id(4)] public long TokensGenerated { get; set; }
}
