using System.Globalization;
using SeedGrains.Abstractions.Limits;

namespace SeedGrains.Silo.Api;

/// <summary>
/// OpenAI's rate-limit headers: <c>x-ratelimit-{limit,remaining,reset}-{requests,tokens}</c>, reset as a Go-style
/// duration ("1s", "6m0s", "20ms"). An unlimited bucket is reported as limit 0, remaining 0, reset "0s".
/// </summary>
internal static class RateLimitHeaders
{
    public static void Write(HttpResponse response, RateLimitDecision decision)
    {
        Write(response, "requests", decision.Requests);
        Write(response, "tokens", decision.Tokens);
    }

    /// <summary>Whole seconds to wait, at least 1 (Retry-After has no fractions).</summary>
    public static string RetryAfterSeconds(TimeSpan wait) =>
        Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    /// <summary>A Go-style duration: "250ms" under a second, else hours/minutes/seconds such as "1s", "1.5s", "6m0s", "1h0m0s".</summary>
    public static string Duration(TimeSpan span)
    {
        if (span <= TimeSpan.Zero) return "0s";
        if (span < TimeSpan.FromSeconds(1)) return $"{Math.Max(1, (long)Math.Ceiling(span.TotalMilliseconds))}ms";
        var seconds = (span.TotalSeconds % 60).ToString("0.###", CultureInfo.InvariantCulture);
        var minutes = (long)span.TotalMinutes % 60;
        var hours = (long)span.TotalHours;
        return hours > 0 ? $"{hours}h{minutes}m{seconds}s" : minutes > 0 ? $"{minutes}m{seconds}s" : $"{seconds}s";
    }

    private static void Write(HttpResponse response, string kind, BucketState bucket)
    {
        response.Headers[$"x-ratelimit-limit-{kind}"] = bucket.Limit.ToString(CultureInfo.InvariantCulture);
        response.Headers[$"x-ratelimit-remaining-{kind}"] = bucket.Remaining.ToString(CultureInfo.InvariantCulture);
        response.Headers[$"x-ratelimit-reset-{kind}"] = Duration(bucket.Reset);
    }
}
