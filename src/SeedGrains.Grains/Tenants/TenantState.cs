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

    /// <summary>When the tenant was created (through the admin API or by its first key); null: it does not exist.</summary>
    [Id(5)] public DateTimeOffset? CreatedAt { get; set; }

    [Id(6)] public TenantStatus Status { get; set; } = TenantStatus.Active;

    /// <summary>Key metadata by key id (never the secret); each entry's hash is also in <see cref="ApiKeyHashes"/>.</summary>
    [Id(7)] public Dictionary<string, ApiKeyEntry> Keys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Set by the first half of a deletion: nothing may be added any more.</summary>
    [Id(8)] public bool Deleting { get; set; }
}
