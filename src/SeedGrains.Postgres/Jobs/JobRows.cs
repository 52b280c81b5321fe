using System.Text.Json;
using System.Text.Json.Serialization;
using Npgsql;
using SeedGrains.Abstractions.Jobs;
using SeedGrains.Abstractions.Sessions;

namespace SeedGrains.Postgres.Jobs;

/// <summary>How jobs and job files map to rows of tables jobs and job_files (deploy/postgres/0002_jobs.sql).</summary>
internal static class JobRows
{
    public const string JobColumns = "tenant, job_id, status, files_uploaded, files_total, concurrency, decoding, max_text_chars, created_at, started_at, finished_at, active_seconds, active_since, error, selection";

    public const string FileColumns = "idx, path, original, regions, outcome, new_text, tokens, error, finished_at";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static JobRecord Job(NpgsqlDataReader row) => new(
        row.GetString(0), row.GetString(1), Status(row.GetString(2)), row.GetInt32(3), row.GetInt32(4), row.GetInt32(5),
        row.IsDBNull(6) ? null : JsonSerializer.Deserialize<DecodingRequest>(row.GetString(6), Json), row.GetInt32(7),
        Time(row, 8)!.Value, Time(row, 9), Time(row, 10), row.GetDouble(11), Time(row, 12),
        row.IsDBNull(13) ? null : row.GetString(13), row.IsDBNull(14) ? null : row.GetString(14));

    public static JobFileRecord File(NpgsqlDataReader row)
    {
        var index = row.GetInt32(0);
        var regions = JsonSerializer.Deserialize<int?[][]>(row.GetString(3), Json)!
            .Select(r => new TextRegion(r[0]!.Value, r[1]!.Value, r.Length > 2 ? r[2] : null)).ToList();
        var file = new JobFile(row.GetString(1), row.GetString(2), regions);
        if (row.IsDBNull(4)) return new JobFileRecord(index, file, null);
        var outcome = row.GetString(4) == "succeeded" ? JobFileOutcome.Succeeded : JobFileOutcome.Failed;
        return new JobFileRecord(index, file, new JobFileResult(index, outcome, row.IsDBNull(5) ? null : row.GetString(5), row.GetInt64(6),
            row.IsDBNull(7) ? null : row.GetString(7), Time(row, 8) ?? DateTimeOffset.UnixEpoch));
    }

    public static string Regions(IReadOnlyList<TextRegion> regions) =>
        JsonSerializer.Serialize(regions.Select(r => new int?[] { r.Start, r.End, r.MaxTokens }), Json);

    public static object Decoding(DecodingRequest? decoding) => decoding is null ? DBNull.Value : JsonSerializer.Serialize(decoding, Json);

    public static string Outcome(JobFileOutcome outcome) => outcome == JobFileOutcome.Succeeded ? "succeeded" : "failed";

    public static object Value(object? value) => value ?? DBNull.Value;

    private static JobStatus Status(string text) =>
        JobStatusNames.TryParse(text, out var status) ? status : throw new InvalidOperationException($"Unknown job status '{text}' in table jobs.");

    private static DateTimeOffset? Time(NpgsqlDataReader row, int column) =>
        row.IsDBNull(column) ? null : new DateTimeOffset(row.GetFieldValue<DateTime>(column), TimeSpan.Zero);
}
