using Microsoft.AspNetCore.Cors.Infrastructure;

namespace SeedGrains.Silo.Api;

/// <summary>The CORS policy for <see cref="CrossOriginOptions.AllowedOrigins"/>: what a browser-based editor needs, no more.</summary>
internal static class CrossOrigin
{
    /// <summary>Headers a script may read from answers (beyond the CORS-safelisted ones).</summary>
    public static readonly string[] ExposedHeaders =
        ["Location", "Retry-After", RequestIds.Header,
         "x-ratelimit-limit-requests", "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests",
         "x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens"];

    public static void Configure(CorsPolicyBuilder policy, IReadOnlyList<string> origins)
    {
        if (origins.Contains("*")) policy.AllowAnyOrigin();
        else policy.WithOrigins([.. origins]);
        // API keys travel in Authorization, not cookies: no credentials mode needed.
        policy.WithMethods(HttpMethods.Get, HttpMethods.Post, HttpMethods.Delete)
            .WithHeaders("Authorization", "Content-Type", "Last-Event-ID")
            .WithExposedHeaders(ExposedHeaders)
            .SetPreflightMaxAge(TimeSpan.FromMinutes(10));
    }
}
