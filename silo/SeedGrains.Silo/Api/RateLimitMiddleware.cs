using SeedGrains.Abstractions.Tenants;
using SeedGrains.Abstractions.Usage;
using SeedGrains.Grains.Telemetry;
using SeedGrains.Grains.Usage;

namespace SeedGrains.Silo.Api;

/// <summary>
/// Outside the error handling, so it sees every final status: refuses addresses that failed authentication too often
/// (<see cref="AuthFailureThrottle"/>, 429 before anything else runs), counts each 401 against the client's address,
/// and meters what happened to an admitted tenant request — a completion served, or a refusal by reason ("quota" for
/// a tenant quota, "unavailable" when the model or storage could not serve it; rate-limit refusals are metered by the
/// limiter itself).
/// </summary>
internal sealed class RateLimitMiddleware(RequestDelegate next, AuthFailureThrottle throttle, IGrainFactory grains, ILogger<RateLimitMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (throttle.Blocked(context) is { } wait)
        {
            SeedGrainsMetrics.Rejections.Add(1, new KeyValuePair<string, object?>("reason", "auth_throttle"));
            context.Response.Headers.RetryAfter = RateLimitHeaders.RetryAfterSeconds(wait);
            await ProblemResponse.Write(context, StatusCodes.Status429TooManyRequests, "Too many failed authentications",
                $"Too many failed authentications from this address; retry after {RateLimitHeaders.Duration(wait)}.");
            return;
        }
        await next(context);
        if (context.Response.StatusCode == StatusCodes.Status401Unauthorized) throttle.Failed(context);
        if (context.Items[RateLimitAdmission.TenantItem] is string tenant)
        {
            if (Refusal(context) is { } reason)
                SeedGrainsMetrics.Rejections.Add(1, new("reason", reason), new("tenant", tenant));
            if (Outcome(context) is { } delta) await Meter(tenant, delta);
        }
    }

    /// <summary>Why an admitted tenant request was refused, for the rejection metric (null: it was not).</summary>
    private static string? Refusal(HttpContext context) => context.Response.StatusCode switch
    {
        StatusCodes.Status429TooManyRequests => context.Items.ContainsKey(RateLimitAdmission.RefusedItem) ? "rate_limit" : "quota",
        StatusCodes.Status503ServiceUnavailable => "unavailable",
        _ => null,
    };

    private static UsageDelta? Outcome(HttpContext context)
    {
        var status = context.Response.StatusCode;
        if (context.Items.ContainsKey(RateLimitAdmission.RefusedItem)) return null;
        if (status == StatusCodes.Status200OK && HttpMethods.IsPost(context.Request.Method) && context.Request.Path.Equals("/v1/completions"))
            return new UsageDelta(Completions: 1);
        return status switch
        {
            StatusCodes.Status429TooManyRequests => UsageDeltaExtensions.Rejected("quota"),
            StatusCodes.Status503ServiceUnavailable => UsageDeltaExtensions.Rejected("unavailable"),
            _ => null,
        };
    }

    /// <summary>Best effort: the answer is already out; a metering failure is logged, not the client's problem.</summary>
    private async Task Meter(string tenant, UsageDelta delta)
    {
        try
        {
            await grains.GetGrain<ITenantUsageGrain>(TenantGrainKeys.Usage(tenant)).Record(delta);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Metering a request of tenant {Tenant} failed", tenant);
        }
    }
}
