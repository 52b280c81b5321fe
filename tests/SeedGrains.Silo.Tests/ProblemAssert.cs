using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SeedGrains.Silo.Tests;

/// <summary>What every error answer must be: problem details, with a status, title and detail, naming no .NET internals.</summary>
internal static partial class ProblemAssert
{
    public static async Task<JsonElement> Is(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        return Valid((int)status, response.Content.Headers.ContentType?.MediaType, body);
    }

    /// <summary>Checks one problem body; returns it parsed.</summary>
    public static JsonElement Valid(int status, string? mediaType, string body)
    {
        Assert.True(mediaType == "application/problem+json", $"{status} answered as {mediaType ?? "(no content type)"}: {body}");
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()), body);
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()), body);
        Assert.False(Internal().IsMatch(body), $"the answer names .NET internals: {body}");
        return problem;
    }

    /// <summary>A namespace-qualified .NET name or a stack frame.</summary>
    [GeneratedRegex(@"\b(SeedGrains|System|Microsoft|Orleans)\.[A-Za-z]|\bat [A-Za-z_.]+\(|   at ")]
    public static partial Regex Internal();
}
