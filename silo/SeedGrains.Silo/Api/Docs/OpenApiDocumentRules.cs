using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace SeedGrains.Silo.Api.Docs;

/// <summary>
/// Shapes `/openapi/v1.json` into a document that generates working clients: only the public API (the dashboard's
/// internal routes left out), its two credentials declared (tenant API keys on `/v1`, operator keys on `/admin`), tag
/// descriptions, and problem details with the extension fields this API adds.
/// </summary>
internal static class OpenApiDocumentRules
{
    public const string ApiKeyScheme = "apiKey";
    public const string OperatorKeyScheme = "operatorKey";

    private static readonly string[] PublicPrefixes = ["/v1/", "/admin/", "/healthz"];

    private static readonly Dictionary<string, string> TagDescriptions = new()
    {
        ["Sessions"] = "Editing sessions: a document whose masked regions the model fills step by step, edited while it generates.",
        ["Jobs"] = "Refactor jobs: regenerate the selected parts of many files, durably, and get a patch back.",
        ["Completions"] = "OpenAI-compatible fill-in-the-middle completions (OpenAI's clients work unchanged).",
        ["Models"] = "The model this cluster serves, in OpenAI's shape.",
        ["Usage"] = "What the calling tenant used, per hour.",
        ["Admin"] = "Tenants, their quotas and API keys; operator key only.",
        ["Service"] = "Liveness.",
    };

    /// <summary>
    /// Fields read as raw JSON because they take "a string or an array of strings" (OpenAI's `prompt`, `stop`): the
    /// generator can only call them "any JSON"; state the real shape.
    /// </summary>
    private static void DescribeStringOrStrings(OpenApiDocument document, string schemaName, params string[] properties)
    {
        if (document.Components?.Schemas?.TryGetValue(schemaName, out var found) != true || found is not OpenApiSchema schema) return;
        foreach (var name in properties)
        {
            if (schema.Properties?.ContainsKey(name) != true) continue;
            schema.Properties[name] = new OpenApiSchema
            {
                OneOf =
                [
                    new OpenApiSchema { Type = JsonSchemaType.String },
                    new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
                ],
            };
        }
        var stillUsed = document.Components.Schemas.Values.OfType<OpenApiSchema>()
            .Any(s => s.Properties?.Values.Any(p => p is OpenApiSchemaReference r && r.Reference.Id == "JsonElement") == true);
        if (!stillUsed) document.Components.Schemas.Remove("JsonElement");
    }

    public static void Configure(OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "SeedGrains API";
            document.Info.Description = "A multi-tenant service for diffusion code models: sessions that several people and the model edit at once, refactor jobs over many files, and OpenAI-compatible completions.";
            document.Info.License = new OpenApiLicense { Name = "Apache-2.0", Identifier = "Apache-2.0" };
            // The server as the request reached it; "…/" would make clients join paths with "//".
            foreach (var server in document.Servers ?? []) server.Url = server.Url?.TrimEnd('/');
            foreach (var path in document.Paths.Keys.Where(p => !PublicPrefixes.Any(p.StartsWith)).ToList())
                document.Paths.Remove(path);
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[ApiKeyScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "A tenant's API key: `Authorization: Bearer <key>`.",
            };
            document.Components.SecuritySchemes[OperatorKeyScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An operator key (`Admin:OperatorKeys`): `Authorization: Bearer <key>`.",
            };
            foreach (var (path, item) in document.Paths)
            {
                var scheme = path.StartsWith("/admin/", StringComparison.Ordinal) ? OperatorKeyScheme
                    : path.StartsWith("/v1/", StringComparison.Ordinal) ? ApiKeyScheme : null;
                foreach (var operation in item.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>())
                    operation.Security = scheme is null ? [] : [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, document)] = [] }];
            }
            DescribeStringOrStrings(document, "CompletionBody", "prompt", "stop");
            document.Tags = new HashSet<OpenApiTag>(TagDescriptions.Select(t => new OpenApiTag { Name = t.Key, Description = t.Value }));
            return Task.CompletedTask;
        });
        options.AddSchemaTransformer((schema, context, _) =>
        {
            // Enums are strings on the wire (ApiJson): say so, or generators type them as "unknown".
            if (schema.Enum is { Count: > 0 } && schema.Type is null) schema.Type = JsonSchemaType.String;
            // The problem details this API answers carry these extensions (see docs/api.md, "Errors").
            if (context.JsonTypeInfo.Type != typeof(ProblemDetails)) return Task.CompletedTask;
            schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
            schema.Properties["traceId"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The request's id (also its `x-request-id` header)." };
            schema.Properties["currentVersion"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64", Description = "On a 409: the session's current version." };
            schema.Properties["param"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The request field at fault, where there is one." };
            return Task.CompletedTask;
        });
    }
}
