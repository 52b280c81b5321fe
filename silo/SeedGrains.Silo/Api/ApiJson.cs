using System.Text.Json;
using System.Text.Json.Serialization;

namespace SeedGrains.Silo.Api;

/// <summary>JSON conventions of the API and strict request body reading (wrong media type → 415; bad JSON, invalid UTF-8, nulls → 400 naming the field).</summary>
internal static class ApiJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Code is full of quotes and angle brackets: keep them readable in a terminal (responses are JSON, not HTML).
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
        // A number is a JSON number: "0" where an integer belongs is a mistake to report, not to guess at.
        NumberHandling = JsonNumberHandling.Strict,
    };

    /// <summary>
    /// Reads a JSON body: it must be sent as `Content-Type: application/json` (charset optional, `+json` suffixes
    /// accepted), anything else or none is 415; bad JSON, wrong types and nulls where a value is required are 400
    /// naming the field.
    /// </summary>
    public static async Task<T> ReadBody<T>(HttpRequest request) where T : class, IRequestBody
    {
        if (!request.HasJsonContentType())
            throw new ApiProblemException(StatusCodes.Status415UnsupportedMediaType, ProblemTitles.For(StatusCodes.Status415UnsupportedMediaType),
                request.ContentType is { Length: > 0 } type
                    ? $"The body was sent as '{ApiText.Echo(type)}'; send it as JSON with 'Content-Type: application/json'."
                    : "The body has no Content-Type; send it as JSON with 'Content-Type: application/json'.");
        T? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<T>(request.Body, Options, request.HttpContext.RequestAborted);
        }
        catch (JsonException ex)
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "Invalid JSON", JsonErrorText.Describe(ex)) { Param = JsonErrorText.Param(ex) };
        }
        if (body is null) throw new ApiProblemException(StatusCodes.Status400BadRequest, "Invalid JSON", "The body must be a JSON object, not null.");
        body.Validate();
        return body;
    }
}
