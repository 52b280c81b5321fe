using Microsoft.AspNetCore.Mvc;
using SeedGrains.Silo.Api.OpenAi;

namespace SeedGrains.Silo.Api;

/// <summary>
/// Writes one problem-details answer. Always application/problem+json, whatever the client's `Accept` says: the
/// framework's writer negotiates and falls back to text/plain for `Accept: text/html`, and an API's errors must keep
/// one shape. The OpenAI-compatible routes answer OpenAI's error body instead (<see cref="OpenAiErrors"/>).
/// </summary>
internal static class ProblemResponse
{
    /// <summary>Longest request path echoed back in `instance`.</summary>
    private const int MaxInstanceChars = 128;

    public static Task Write(HttpContext context, int status, string title, string detail, IDictionary<string, object?>? extensions = null)
    {
        if (OpenAiErrors.Applies(context.Request.Path)) return OpenAiErrors.Write(context, status, detail, extensions);
        var problem = new ProblemDetails
        {
            Status = status,
            Title = title,
            Detail = detail,
            Instance = ApiText.Echo(context.Request.Path.Value ?? "", MaxInstanceChars),
        };
        foreach (var (key, value) in extensions ?? new Dictionary<string, object?>()) problem.Extensions[key] = value;
        problem.Extensions["traceId"] = context.TraceIdentifier;
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(problem, ApiJson.Options, "application/problem+json", context.RequestAborted);
    }
}
