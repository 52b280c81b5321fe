using System.Text.Json;
using System.Text.Json.Serialization;

namespace SeedGrains.Silo.Api;

/// <summary>JSON conventions of the API and strict request body reading (bad JSON / invalid UTF-8 → 400 naming the problem).</summary>
internal static class ApiJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Code is full of quotes and angle brackets: keep them readable in a terminal (responses are JSON, not HTML).
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
    };

    public static async Task<T> ReadBody<T>(HttpRequest request) where T : class
    {
        T? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<T>(request.Body, Options, request.HttpContext.RequestAborted);
        }
        catch (JsonException ex)
        {
            // Invalid UTF-8 surfaces as an inner "cannot transcode" error; name it, since the JSON itself may look fine.
            var message = ex.InnerException is { } inner ? $"{ex.Message} {inner.Message}" : ex.Message;
            var what = message.Contains("UTF-8", StringComparison.OrdinalIgnoreCase) ? "The body is not valid UTF-8" : "The body is not valid JSON for this request";
            var where = ex.Path is null ? "" : $" (at {ex.Path}{(ex.LineNumber is { } line ? $", line {line + 1}" : "")})";
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "Invalid JSON", $"{what}{where}: {message}");
        }
        return body ?? throw new ApiProblemException(StatusCodes.Status400BadRequest, "Invalid JSON", "The body must be a JSON object, not null.");
    }
}
