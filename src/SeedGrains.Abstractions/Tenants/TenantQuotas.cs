namespace SeedGrains.Abstractions.Tenants;

/// <summary>
/// Limits of one tenant; defaults come from configuration (<c>Tenants:DefaultQuotas</c>) when a tenant is created.
/// Rates of 0 mean unlimited.
/// </summary>
/// <param name="MaxConcurrentSessions">Sessions denoising at once.</param>
/// <param name="MaxTextChars">Longest document (UTF-16 code units).</param>
/// <param name="MaxStoredSessions">Sessions the tenant may keep (any status) before creates are refused.</param>
/// <param name="TokensPerMinute">Generated tokens per minute (token bucket, cluster-wide; 0 = unlimited).</param>
/// <param name="RequestsPerMinute">API requests per minute (token bucket, cluster-wide; 0 = unlimited).</param>
/// <param name="Weight">Share of the model workers' batch slots relative to other tenants (weighted round-robin).</param>
/// <param name="MaxActiveJobs">Refactor jobs not yet finished (queued, running, paused) at once.</param>
/// <param name="MaxFilesPerJob">Files one refactor job may have (after its selection).</param>
[GenerateSerializer, Immutable]
public sealed record TenantQuotas(
    [property: Id(0)] int MaxConcurrentSessions = 64,
    [property: Id(1)] int MaxTextChars = 200_000,
    [property: Id(2)] int MaxStoredSessions = 10_000,
    [property: Id(3)] int TokensPerMinute = 0,
    [property: Id(4)] int RequestsPerMinute = 0,
    [property: Id(5)] int Weight = 1,
    [property: Id(6)] int MaxActiveJobs = 4,
    [property: Id(7)] int MaxFilesPerJob = 5_000)
{
    public static TenantQuotas Default { get; } = new();
}
