using System.Text.Json;
using System.Text.Json.Serialization;

namespace SeedGrains.Postgres.Storage;

/// <summary>
/// How grain state becomes jsonb. System.Text.Json rather than Orleans' <c>IGrainStorageSerializer</c>: the column
/// must hold JSON that operators can query, and Orleans' default storage serializer is binary. State types must be
/// System.Text.Json round-trippable: public settable properties (or a constructor whose parameters match them), or
/// public fields; get-only properties without a matching constructor parameter are NOT restored.
/// </summary>
public static class GrainStateJson
{
    /// <summary>Fields included (some [GenerateSerializer] types use them); enums as names so rows read well.</summary>
    public static JsonSerializerOptions DefaultOptions { get; } = CreateDefaultOptions();

    private static JsonSerializerOptions CreateDefaultOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.General)
        {
            IncludeFields = true,
            Converters = { new JsonStringEnumConverter() },
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
