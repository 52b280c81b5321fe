using SeedGrains.Abstractions.Tenants;

namespace SeedGrains.Silo.Api;

/// <summary>
/// Configuration section <c>Tenants:DefaultQuotas</c>: the quotas a tenant gets when it is created without them (each
/// unset value falls back to <see cref="TenantQuotas.Default"/>).
/// </summary>
public sealed class TenantDefaultQuotasOptions
{
    public const string Section = "Tenants:DefaultQuotas";

    public int? MaxConcurrentSessions { get; set; }
    public int? MaxTextChars { get; set; }
    public int? MaxStoredSessions { get; set; }
    public int? TokensPerMinute { get; set; }
    public int? RequestsPerMinute { get; set; }
    public int? Weight { get; set; }
    public int? MaxActiveJobs { get; set; }
    public int? MaxFilesPerJob { get; set; }

    internal TenantQuotas ToQuotas() => new AdminQuotasBody
    {
        MaxConcurrentSessions = MaxConcurrentSessions,
        MaxTextChars = MaxTextChars,
        MaxStoredSessions = MaxStoredSessions,
        TokensPerMinute = TokensPerMinute,
        RequestsPerMinute = RequestsPerMinute,
        Weight = Weight,
        MaxActiveJobs = MaxActiveJobs,
        MaxFilesPerJob = MaxFilesPerJob,
    }.ApplyTo(TenantQuotas.Default);
}
