using System.Globalization;
using SeedGrains.Abstractions.Tenants;
using SeedGrains.Abstractions.Usage;

namespace SeedGrains.Silo.Api;

/// <summary>
/// Usage per hour: GET /v1/usage for the calling tenant, and the same report for operators at
/// GET /admin/v1/tenants/{id}/usage (served by AdminEndpoints with the same report).
/// `from`/`to` are ISO-8601 instants (default: the last 24 hours); hours overlapping [from, to) are returned.
/// </summary>
internal static class UsageEndpoints
{
    /// <summary>Longest range one request may ask for (what is kept, give or take).</summary>
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(92);

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/usage", Own).WithName("GetUsage").WithTags("Usage").WithSummary("Your usage")
            .WithDescription("The calling tenant's hourly usage between `from` and `to` (ISO 8601; default the last 24 hours), with totals.")
            .Produces<UsageReport>().ProducesProblem(400).ProducesProblem(401).ProducesProblem(429);
    }


    private static async Task<IResult> Own(HttpContext context, string? from, string? to, ApiKeyAuthenticator auth, IGrainFactory grains, ApiClock clock)
    {
        var tenant = await auth.Tenant(context);
        return await Report(grains, clock, tenant, from, to);
    }

    internal static async Task<IResult> Report(IGrainFactory grains, ApiClock clock, string tenant, string? from, string? to)
    {
        var end = Instant(to, "to") ?? clock.Time.GetUtcNow();
        var start = Instant(from, "from") ?? end - TimeSpan.FromHours(24);
        if (start >= end)
            throw new ApiProblemException(400, "Invalid request", "from must be before to.");
        if (end - start > MaxRange)
            throw new ApiProblemException(400, "Invalid request", $"The range may span at most {MaxRange.TotalDays:0} days.");
        var hours = await grains.GetGrain<ITenantUsageGrain>(TenantGrainKeys.Usage(tenant)).Get(start, end);
        return Results.Ok(UsageReport.Of(tenant, start, end, hours));
    }

    private static DateTimeOffset? Instant(string? text, string name)
    {
        if (string.IsNullOrEmpty(text)) return null;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
            return value;
        throw new ApiProblemException(400, "Invalid request", $"{name} = '{ApiText.Echo(text)}' is not an ISO-8601 time (e.g. 2026-01-05T10:00:00Z).");
    }
}
