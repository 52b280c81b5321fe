using Microsoft.Extensions.Options;
using Npgsql;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;

namespace SeedGrains.Postgres.Reminders;

/// <summary>
/// Orleans reminder table in table <c>reminders</c>, keyed by (service, grain, reminder name). Each silo reads the
/// slice of the hash ring it owns; the ring range (begin, end] wraps around when begin >= end.
/// </summary>
public sealed class PostgresReminderTable : IReminderTable
{
    private const string Columns = "grain_id, reminder_name, start_at, period, etag";

    private readonly string _serviceId;
    private readonly PostgresDatabase _database;

    /// <summary>Creates the table for the service in <paramref name="clusterOptions"/>.</summary>
    public PostgresReminderTable(IOptionsMonitor<PostgresOptions> options, PostgresDatabases databases, IOptions<ClusterOptions> clusterOptions)
    {
        var postgres = options.Get(PostgresOptionNames.Reminders);
        postgres.Validate("reminders");
        _serviceId = clusterOptions.Value.ServiceId;
        _database = databases.Get(postgres);
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken = default) => _database.EnsureSchemaAsync(cancellationToken);

    /// <inheritdoc />
    public Task Init() => StartAsync();

    /// <inheritdoc />
    public Task<ReminderTableData> ReadRows(GrainId grainId) => ReadRows(grainId, CancellationToken.None);

    /// <inheritdoc />
    public Task<ReminderTableData> ReadRows(uint begin, uint end) => ReadRows(begin, end, CancellationToken.None);

    /// <inheritdoc />
    public Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName) => ReadRow(grainId, reminderName, CancellationToken.None);

    /// <inheritdoc />
    public Task<string?> UpsertRow(ReminderEntry entry) => UpsertRow(entry, CancellationToken.None);

    /// <inheritdoc />
    public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag) => RemoveRow(grainId, reminderName, eTag, CancellationToken.None);

    /// <inheritdoc />
    public Task TestOnlyClearTable() => TestOnlyClearTable(CancellationToken.None);

    /// <inheritdoc />
    public Task<ReminderTableData> ReadRows(GrainId grainId, CancellationToken cancellationToken) =>
        QueryAsync($"read reminders of {grainId}", $"SELECT {Columns} FROM reminders WHERE service_id = $1 AND grain_id = $2",
            command => command.Parameters.Add(new NpgsqlParameter { Value = grainId.ToString() }), cancellationToken);

    /// <inheritdoc />
    public Task<ReminderTableData> ReadRows(uint begin, uint end, CancellationToken cancellationToken) =>
        // (begin, end]; begin >= end wraps around zero (begin == end is the whole ring).
        QueryAsync($"read reminders in ({begin}, {end}]", begin < end
                ? $"SELECT {Columns} FROM reminders WHERE service_id = $1 AND grain_hash > $2 AND grain_hash <= $3"
                : $"SELECT {Columns} FROM reminders WHERE service_id = $1 AND (grain_hash > $2 OR grain_hash <= $3)",
            command =>
            {
                command.Parameters.Add(new NpgsqlParameter { Value = (long)begin });
                command.Parameters.Add(new NpgsqlParameter { Value = (long)end });
            }, cancellationToken);

    /// <inheritdoc />
    public async Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync($"read reminder '{reminderName}' of {grainId}",
            $"SELECT {Columns} FROM reminders WHERE service_id = $1 AND grain_id = $2 AND reminder_name = $3",
            command =>
            {
                command.Parameters.Add(new NpgsqlParameter { Value = grainId.ToString() });
                command.Parameters.Add(new NpgsqlParameter { Value = reminderName });
            }, cancellationToken).ConfigureAwait(false);
        return rows.Reminders.FirstOrDefault();
    }

    /// <inheritdoc />
    public Task<string?> UpsertRow(ReminderEntry entry, CancellationToken cancellationToken)
    {
        var etag = Guid.CreateVersion7();
        return _database.RunAsync<string?>($"upsert reminder '{entry.ReminderName}' of {entry.GrainId}", async (connection, _, ct) =>
        {
            await using var command = new NpgsqlCommand(
                """
                INSERT INTO reminders (service_id, grain_id, reminder_name, grain_hash, start_at, period, etag)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE
                SET grain_hash = EXCLUDED.grain_hash, start_at = EXCLUDED.start_at, period = EXCLUDED.period,
                    etag = EXCLUDED.etag, updated_at = now()
                """, connection);
            command.Parameters.Add(new NpgsqlParameter { Value = _serviceId });
            command.Parameters.Add(new NpgsqlParameter { Value = entry.GrainId.ToString() });
            command.Parameters.Add(new NpgsqlParameter { Value = entry.ReminderName });
            command.Parameters.Add(new NpgsqlParameter { Value = (long)entry.GrainId.GetUniformHashCode() });
            command.Parameters.Add(new NpgsqlParameter { Value = Clustering.MembershipRows.Utc(entry.StartAt) });
            command.Parameters.Add(new NpgsqlParameter { Value = entry.Period });
            command.Parameters.Add(new NpgsqlParameter { Value = etag });
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return etag.ToString();
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag, CancellationToken cancellationToken) =>
        _database.RunAsync($"remove reminder '{reminderName}' of {grainId}", async (connection, _, ct) =>
        {
            if (!Guid.TryParse(eTag, out var expected))
            {
                return false;
            }

            await using var command = new NpgsqlCommand(
                "DELETE FROM reminders WHERE service_id = $1 AND grain_id = $2 AND reminder_name = $3 AND etag = $4", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = _serviceId });
            command.Parameters.Add(new NpgsqlParameter { Value = grainId.ToString() });
            command.Parameters.Add(new NpgsqlParameter { Value = reminderName });
            command.Parameters.Add(new NpgsqlParameter { Value = expected });
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1;
        }, cancellationToken);

    /// <inheritdoc />
    public Task TestOnlyClearTable(CancellationToken cancellationToken) =>
        _database.RunAsync("clear reminders", async (connection, _, ct) =>
        {
            await using var command = new NpgsqlCommand("DELETE FROM reminders WHERE service_id = $1", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = _serviceId });
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken);

    private Task<ReminderTableData> QueryAsync(string operation, string sql, Action<NpgsqlCommand> addParameters, CancellationToken cancellationToken) =>
        _database.RunAsync(operation, async (connection, _, ct) =>
        {
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.Add(new NpgsqlParameter { Value = _serviceId });
            addParameters(command);
            var entries = new List<ReminderEntry>();
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                entries.Add(new ReminderEntry
                {
                    GrainId = GrainId.Parse(reader.GetString(0)),
                    ReminderName = reader.GetString(1),
                    StartAt = reader.GetDateTime(2),
                    Period = reader.GetTimeSpan(3),
                    ETag = reader.GetGuid(4).ToString(),
                });
            }

            return new ReminderTableData(entries);
        }, cancellationToken);
}
