using System.Text.Json;

namespace SeedGrains.Postgres;

/// <summary>
/// Where the SeedGrains PostgreSQL providers connect, bound from configuration section <c>Postgres</c>
/// (key <c>Postgres:ConnectionString</c>).
/// </summary>
public sealed record PostgresOptions
{
    /// <summary>Configuration section the options bind from.</summary>
    public const string SectionName = "Postgres";

    /// <summary>An Npgsql connection string, e.g. <c>Host=db;Database=seedgrains;Username=seedgrains;Password=...</c>.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// Apply the embedded migrations before first use (silo start-up). When false the providers only check that the
    /// schema is current and fail with a message pointing at <c>seedgrains db migrate</c>.
    /// </summary>
    public bool MigrateOnStartup { get; set; } = true;

    /// <summary>Serializer settings for grain state (jsonb); null uses <see cref="Storage.GrainStateJson.DefaultOptions"/>.</summary>
    public JsonSerializerOptions? StateJsonOptions { get; set; }

    /// <summary>Throws a message naming the provider when the connection string is missing.</summary>
    internal void Validate(string provider)
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new InvalidOperationException(
                $"PostgreSQL {provider}: PostgresOptions.ConnectionString is empty; set configuration key '{SectionName}:ConnectionString'.");
        }
    }
}
