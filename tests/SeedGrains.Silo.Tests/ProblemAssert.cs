using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace SeedGrains.Silo.Tests;

/// <summary>
/// What every error answer must be: problem details, with a status, title and detail, naming no .NET internals — or,
/// on the OpenAI-compatible routes (`/v1/completions`, `/v1/models`), OpenAI's error body
/// `{"error": {"message", "type", "param", "code"}}` held to the same standard. Either way the caller gets a problem
/// element with `status` and `detail` (for an OpenAI body: the message, plus `type`, `param` and `code`).
/// </summary>
internal static partial class ProblemAssert
{
    public static async Task<JsonElement> Is(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        return Valid((int)status, response.Content.Headers.ContentType?.MediaType, body, response.RequestMessage?.RequestUri?.AbsolutePath ?? "");
    }

    /// <summary>Checks one error body of a request to <paramref name="path"/>; returns it parsed.</summary>
    public static JsonElement Valid(int status, string? mediaType, string body, string path = "")
    {
        if (IsOpenAiRoute(path)) return ValidOpenAi(status, mediaType, body);
        Assert.True(mediaType == "application/problem+json", $"{status} answered as {mediaType ?? "(no content type)"}: {body}");
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()), body);
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()), body);
        Assert.False(Internal().IsMatch(body), $"the answer names .NET internals: {body}");
        return problem;
    }

    /// <summary>The routes OpenAI's clients call, by their documented paths (not by asking the server).</summary>
    public static bool IsOpenAiRoute(string path) =>
        OpenAiRoute().IsMatch(path);

    private static JsonElement ValidOpenAi(int status, string? mediaType, string body)
    {
        Assert.True(mediaType == "application/json", $"{status} answered as {mediaType ?? "(no content type)"}: {body}");
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
        var message = error.GetProperty("message").GetString();
        Assert.False(string.IsNullOrWhiteSpace(message), body);
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("type").GetString()), body);
        // OpenAI's clients read these keys; they are present even when null.
        Assert.True(error.TryGetProperty("param", out var param), $"no param: {body}");
        Assert.True(error.TryGetProperty("code", out var code), $"no code: {body}");
        Assert.False(Internal().IsMatch(body), $"the answer names .NET internals: {body}");
        var problem = new JsonObject
        {
            ["status"] = status,
            ["detail"] = message,
            ["type"] = error.GetProperty("type").GetString(),
            ["param"] = param.ValueKind == JsonValueKind.String ? param.GetString() : null,
            ["code"] = code.ValueKind == JsonValueKind.String ? code.GetString() : null,
        };
        return JsonDocument.Parse(problem.ToJsonString()).RootElement.Clone();
    }

    /// <summary>A namespace-qualified .NET name or a stack frame.</summary>
    [GeneratedRegex(@"\b(SeedGrains|System|Microsoft|Orleans)\.[A-Za-z]|\bat [A-Za-z_.]+\(|   at ")]
    public static partial Regex Internal();

    [GeneratedRegex(@"^/v1/(completions|models)(/|$)", RegexOptions.IgnoreCase)]
    private static partial Regex OpenAiRoute();
}
