namespace SeedGrains.Abstractions.Tenants;

/// <summary>Whether a tenant's requests are served.</summary>
[GenerateSerializer]
public enum TenantStatus
{
    /// <summary>Served normally.</summary>
    Active,

    /// <summary>Requests refused with 403; denoising sessions hold still until the tenant is resumed.</summary>
    Suspended,
}
