using SeedGrains.Abstractions.Limits;
using SeedGrains.Abstractions.Tenants;

namespace SeedGrains.Silo.Api;

/// <summary>
/// Admits each authenticated /v1 request through its tenant's limiter grain (one grain call; the buckets are shared by
/// every silo), writes the x-ratelimit-* headers on the response — success or error alike — and refuses with 429 and
/// Retry-After when a bucket is empty. A request that generates (any POST: completions, session creates and edits)
/// also needs generated-token budget left; the tokens themselves are charged as the model commits them.
/// </summary>
internal sealed class RateLimitAdmission(IGrainFactory grains)
{
    /// <summary>The tenant of an admitted request (<see cref="HttpContext.Items"/>), for metering what happens to it.</summary>
    public const string TenantItem = "seedgrains.tenant";

    /// <summary>Set when this admission refused the request, so the refusal is not metered twice.</summary>
    public const string RefusedItem = "seedgrains.rate-limited";

    public async Task Admit(HttpContext context, string tenant)
    {
        if (!context.Request.Path.StartsWithSegments("/v1")) return;
        context.Items[TenantItem] = tenant;
        var generates = HttpMethods.IsPost(context.Request.Method);
        var decision = await grains.GetGrain<ITenantLimiterGrain>(TenantGrainKeys.Limiter(tenant)).Admit(generates);
        RateLimitHeaders.Write(context.Response, decision);
        if (decision.Admitted) return;
        context.Items[RefusedItem] = true;
        context.Response.Headers.RetryAfter = RateLimitHeaders.RetryAfterSeconds(decision.RetryAfter);
        var what = decision.Reason == "tokens"
            ? $"generated tokens per minute ({decision.Tokens.Limit})"
            : $"requests per minute ({decision.Requests.Limit})";
        throw new ApiProblemException(StatusCodes.Status429TooManyRequests, "Rate limit exceeded",
            $"Tenant '{tenant}' is over its rate limit of {what}; retry after {RateLimitHeaders.Duration(decision.RetryAfter)}.");
    }
}
