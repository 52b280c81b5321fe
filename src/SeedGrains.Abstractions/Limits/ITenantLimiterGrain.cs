using SeedGrains.Abstractions.Tenants;

namespace SeedGrains.Abstractions.Limits;

/// <summary>
/// A tenant's rate limits (key <see cref="TenantGrainKeys.Limiter"/>): token buckets for requests and generated tokens
/// per minute, from the tenant's <see cref="TenantQuotas"/>. One activation in the cluster, so every silo draws on the
/// same buckets.
/// </summary>
public interface ITenantLimiterGrain : ITenantDataGrain
{
    /// <summary>
    /// Admits one request: takes a request permit and, for a request that generates (<paramref name="generates"/>),
    /// requires generated-token budget left. Refusals take nothing and are metered as "rate_limit".
    /// </summary>
    Task<RateLimitDecision> Admit(bool generates);

    /// <summary>Charges tokens the model generated for the tenant (after the fact; beyond what is left becomes debt paid from refills).</summary>
    Task ChargeTokens(long tokens);

    /// <summary>Applies new quotas at once (the limiter otherwise re-reads them from the tenant grain every few seconds).</summary>
    Task Configure(TenantQuotas quotas);
}
