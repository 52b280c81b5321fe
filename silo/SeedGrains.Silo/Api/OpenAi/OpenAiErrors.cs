using System.Text.Json.Serialization;

namespace SeedGrains.Silo.Api.OpenAi;

/// <summary>
/// OpenAI's error body, `{"error": {"message", "type", "param", "code"}}`, on the OpenAI-compatible routes
/// (`/v1/completions`, `/v1/models`): OpenAI's client libraries read only that shape (an RFC 7807 body shows up in them
/// as "400 status code (no body)"). Every other route keeps problem details. The status codes are the same either way.
/// </summary>
internal static class OpenAiErrors
{
    /// <summary>Routes whose clients are OpenAI's libraries.</summary>
    public static bool Applies(PathString path) =>
        path.StartsWithSegments("/v1/completions") || path.StartsWithSegments("/v1/models");

    /// <summary>Declares OpenAI's error body for <paramref name="statuses"/> in the OpenAPI document.</summary>
    public static void Document(RouteHandlerBuilder route, params int[] statuses)
    {
        foreach (var status in statuses) route.Produces<OpenAiErrorBody>(status, "application/json");
    }

    public static Task Write(HttpContext context, int status, string detail, IDictionary<string, object?>? extensions)
    {
        var param = extensions is not null && extensions.TryGetValue("param", out var p) ? p as string : null;
        var (type, code) = Classify(status, context.Items.ContainsKey(RateLimitAdmission.RefusedItem));
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new OpenAiErrorBody(new OpenAiError(detail, type, param, code)), ApiJson.Options,
            "application/json", context.RequestAborted);
    }

    /// <summary>The `type` and `code` OpenAI's own API uses for each status.</summary>
    private static (string Type, string? Code) Classify(int status, bool rateLimited) => status switch
    {
        StatusCodes.Status401Unauthorized => ("authentication_error", "invalid_api_key"),
        StatusCodes.Status403Forbidden => ("permission_error", null),
        StatusCodes.Status404NotFound => ("not_found_error", null),
        StatusCodes.Status409Conflict => ("conflict_error", null),
        StatusCodes.Status413PayloadTooLarge => ("invalid_request_error", "request_too_large"),
        StatusCodes.Status429TooManyRequests => ("rate_limit_error", rateLimited ? "rate_limit_exceeded" : "quota_exceeded"),
        >= 500 => ("server_error", status == StatusCodes.Status503ServiceUnavailable ? "service_unavailable" : null),
        _ => ("invalid_request_error", null),
    };
}

internal sealed record OpenAiErrorBody([property: JsonPropertyName("error")] OpenAiError Error);

/// <param name="Param">The request field at fault, or null (always written: OpenAI's clients expect the key).</param>
internal sealed record OpenAiError(
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("param"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Param,
    [property: JsonPropertyName("code"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Code);
