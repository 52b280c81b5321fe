using Microsoft.Extensions.Logging;
using SeedGrains.Abstractions.Limits;
using SeedGrains.Abstractions.Tenants;
using SeedGrains.Abstractions.Usage;
using SeedGrains.Grains.Usage;
using SeedGrains.Grains.Workers;

namespace SeedGrains.Grains.Limits;

/// <summary>
/// A tenant's rate limits (key <see cref="TenantGrainKeys.Limiter"/>), one activation cluster-wide. Buckets live in
/// memory only: a limiter that moves to another silo starts with full buckets, which errs towards the client for at
/// most one minute's allowance. Limits follow the tenant's quotas (re-read every <see cref="QuotaRefresh"/>, or at once
/// through <see cref="Configure"/>). Refusals are metered in the tenant's usage as "rate_limit", batched to at most one
/// usage write per second of refusals.
/// </summary>
public sealed class TenantLimiterGrain(SeedGrainsClock clock, ILogger<TenantLimiterGrain> logger) : Grain, ITenantLimiterGrain, IDisposable
{
    /// <summary>How stale the limits may be when quotas change without <see cref="Configure"/> being called.</summary>
    public static readonly TimeSpan QuotaRefresh = TimeSpan.FromSeconds(5);

    public const string RejectionReason = "rate_limit";

    private static readonly TimeSpan RejectionFlushInterval = TimeSpan.FromSeconds(1);
    private readonly LimitedBucket _requests = new(clock.Time);
    private readonly LimitedBucket _tokens = new(clock.Time);
    private string _tenant = "";
    private DateTimeOffset _quotasReadAt = DateTimeOffset.MinValue;
    private long _unreportedRejections;
    private DateTimeOffset _rejectionsReportedAt = DateTimeOffset.MinValue;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _tenant = this.GetPrimaryKeyString().Split('/')[0];
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_unreportedRejections > 0) await ReportRejections(clock.Time.GetUtcNow());
    }

    public async Task<RateLimitDecision> Admit(bool generates)
    {
        var now = clock.Time.GetUtcNow();
        await RefreshQuotas(now);
        string? reason = null;
        var retryAfter = TimeSpan.Zero;
        if (!_requests.Has(1))
        {
            reason = "requests";
            retryAfter = _requests.Until(1);
        }
        else if (generates && !_tokens.Has(1))
        {
            reason = "tokens";
            retryAfter = _tokens.Until(1);
        }
        if (reason is null)
        {
            _requests.Take(1);
            return new RateLimitDecision(true, _requests.State(), _tokens.State());
        }
        _unreportedRejections++;
        if (now - _rejectionsReportedAt >= RejectionFlushInterval) await ReportRejections(now);
        return new RateLimitDecision(false, _requests.State(), _tokens.State(), retryAfter, reason);
    }

    public async Task ChargeTokens(long tokens)
    {
        if (tokens <= 0) return;
        var now = clock.Time.GetUtcNow();
        await RefreshQuotas(now);
        _tokens.Charge(tokens);
    }

    public Task Configure(TenantQuotas quotas)
    {
        Apply(quotas, clock.Time.GetUtcNow());
        return Task.CompletedTask;
    }

    public Task Erase()
    {
        _unreportedRejections = 0; // the tenant's usage is being erased too
        _requests.Reset();
        _tokens.Reset();
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _requests.Reset();
        _tokens.Reset();
    }

    private async Task RefreshQuotas(DateTimeOffset now)
    {
        if (now - _quotasReadAt < QuotaRefresh && _quotasReadAt != DateTimeOffset.MinValue) return;
        try
        {
            Apply(await GrainFactory.GetGrain<ITenantGrain>(_tenant).GetQuotas(), now);
        }
        catch (Exception ex) when (_quotasReadAt != DateTimeOffset.MinValue)
        {
            // Keep the limits we have; try again at the next refresh.
            logger.LogWarning(ex, "Reading the quotas of tenant {Tenant} failed; its rate limits stay as they were", _tenant);
            _quotasReadAt = now;
        }
    }

    private void Apply(TenantQuotas quotas, DateTimeOffset now)
    {
        _quotasReadAt = now;
        _requests.Configure(quotas.RequestsPerMinute);
        _tokens.Configure(quotas.TokensPerMinute);
    }

    private async Task ReportRejections(DateTimeOffset now)
    {
        var count = _unreportedRejections;
        _unreportedRejections = 0;
        _rejectionsReportedAt = now;
        try
        {
            await GrainFactory.GetGrain<ITenantUsageGrain>(TenantGrainKeys.Usage(_tenant)).Record(new UsageDelta(
                RejectedByReason: new Dictionary<string, long>(StringComparer.Ordinal) { [RejectionReason] = count }));
        }
        catch (Exception ex)
        {
            _unreportedRejections += count; // reported with the next batch
            logger.LogWarning(ex, "Metering {Count} rate-limit refusals of tenant {Tenant} failed; they are retried", count, _tenant);
        }
    }
}
