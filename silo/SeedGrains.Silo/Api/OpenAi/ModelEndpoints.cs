using System.Text.Json.Serialization;
using SeedGrains.Grains.Model;

namespace SeedGrains.Silo.Api.OpenAi;

/// <summary>
/// GET /v1/models and GET /v1/models/{id}, in OpenAI's list shape: the one model this cluster serves. Behind the API
/// key like every /v1 route (OpenAI's client sends it).
/// </summary>
internal static class ModelEndpoints
{
    public const string Owner = "seedgrains";

    public static void Map(IEndpointRouteBuilder app)
    {
        var list = app.MapGet("/v1/models", List).WithName("ListModels").WithTags("Models")
            .WithSummary("List the served models").WithDescription("The model this cluster serves, in OpenAI's list shape.")
            .Produces<ModelList>();
        OpenAiErrors.Document(list, 401, 429);
        var show = app.MapGet("/v1/models/{id}", Show).WithName("RetrieveModel").WithTags("Models")
            .WithSummary("Show one model").WithDescription("The served model by its id; any other id is 404.")
            .Produces<ModelCard>();
        OpenAiErrors.Document(show, 401, 404, 429);
    }

    private static async Task<IResult> List(HttpContext context, ApiKeyAuthenticator auth, ModelRuntimes model, ServedSince since)
    {
        await auth.Tenant(context);
        return Results.Json(new ModelList("list", [Card(model, since)]), ApiJson.Options);
    }

    private static async Task<IResult> Show(HttpContext context, string id, ApiKeyAuthenticator auth, ModelRuntimes model, ServedSince since)
    {
        await auth.Tenant(context);
        if (!string.Equals(id, model.ModelName, StringComparison.Ordinal))
            throw new ApiProblemException(StatusCodes.Status404NotFound, "Model not found",
                $"No model '{ApiText.Echo(id)}'; this server serves '{model.ModelName}'.") { Param = "model" };
        return Results.Json(Card(model, since), ApiJson.Options);
    }

    private static ModelCard Card(ModelRuntimes model, ServedSince since) => new(model.ModelName, "model", since.UnixSeconds, Owner);
}

/// <summary>When this silo started serving its model (OpenAI's `created` of a model card).</summary>
internal sealed class ServedSince(TimeProvider time)
{
    public long UnixSeconds { get; } = time.GetUtcNow().ToUnixTimeSeconds();
}

internal sealed record ModelList(
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("data")] IReadOnlyList<ModelCard> Data);

internal sealed record ModelCard(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("owned_by")] string OwnedBy);
