using Microsoft.AspNetCore.WebUtilities;

namespace SeedGrains.Silo.Api;

/// <summary>One title per status for errors that carry no title of their own (router, Kestrel body errors, status pages).</summary>
internal static class ProblemTitles
{
    public static string For(int status) => status switch
    {
        400 => "Bad request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not found",
        405 => "Method not allowed",
        408 => "Request timeout",
        409 => "Conflict",
        411 => "Length required",
        413 => "Payload too large",
        414 => "URI too long",
        415 => "Unsupported media type",
        429 => "Too many requests",
        431 => "Request header fields too large",
        500 => "Internal error",
        503 => "Service unavailable",
        _ => ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : "Error",
    };
}
