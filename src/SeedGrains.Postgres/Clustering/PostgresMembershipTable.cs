using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;

namespace SeedGrains.Postgres.Clustering;

/// <summary>
/// Orleans membership table in cluster_membership / cluster_membership_version. The table version's ETag is the
/// version number itself: InsertRow and UpdateRow succeed only if the stored version still equals the ETag the caller
/// read, and bump it by one in the same transaction as the row change (row ETags likewise). A lost race returns
/// false, as Orleans expects; connection failures throw and Orleans' membership loop retries.
/// </summary>
public sealed class PostgresMembershipTable : IMembershipTable
{
    private readonly string _clusterId;
    private readonly PostgresDatabase _database;

    /// <summary>Creates the table for the cluster in <paramref name="clusterOptions"/>.</summary>
    public PostgresMembershipTable(IOptionsMonitor<PostgresOptions> options, PostgresDatabases databases, IOptions<ClusterOptions> clusterOptions)
    {
        var postgres = options.Get(PostgresOptionNames.Clustering);
        postgres.Validate("clustering");
        _clusterId = clusterOptions.Value.ClusterId;
        _database = databases.Get(postgres);
    }

    /// <inheritdoc />
    public Task InitializeMembershipTableAsync(bool tryInitTableVersion, CancellationToken cancellationToken = default) =>
        _database.RunAsync("initialize membership", async (connection, _, ct) =>
        {
            if (tryInitTableVersion)
            {
                await using var command = new NpgsqlCommand(
                    "INSERT INTO cluster_membership_version (cluster_id, version) VALUES ($1, 0) ON CONFLICT DO NOTHING", connection);
                command.Parameters.Add(new NpgsqlParameter { Value = _clusterId });
                await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            return true;
        }, cancellationToken);

    /// <inheritdoc />
    public Task DeleteMembershipTableEntriesAsync(string clusterId, CancellationToken cancellationToken = default) =>
        _database.RunAsync("delete membership entries", async (connection, _, ct) =>
        {
            // Rows go with their version row (ON DELETE CASCADE).
            await using var command = new NpgsqlCommand("DELETE FROM cluster_membership_version WHERE cluster_id = $1", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = clusterId });
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken);

    /// <inheritdoc />
    public Task CleanupDefunctSiloEntriesAsync(DateTimeOffset beforeDate, CancellationToken cancellationToken = default) =>
        _database.RunAsync("clean up defunct silos", async (connection, _, ct) =>
        {
            await using var command = new NpgsqlCommand(
                "DELETE FROM cluster_membership WHERE cluster_id = $1 AND status = $2 AND i_am_alive_time < $3", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = _clusterId });
            command.Parameters.Add(new NpgsqlParameter { Value = nameof(SiloStatus.Dead) });
            command.Parameters.Add(new NpgsqlParameter { Value = beforeDate.UtcDateTime });
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<MembershipTableData> ReadRowAsync(SiloAddress key, CancellationToken cancellationToken = default) => ReadAsync(key, cancellationToken);

    /// <inheritdoc />
    public Task<MembershipTableData> ReadAllAsync(CancellationToken cancellationToken = default) => ReadAsync(null, cancellationToken);

    /// <inheritdoc />
    public Task<bool> InsertRowAsync(MembershipEntry entry, TableVersion tableVersion, CancellationToken cancellationToken = default)
    {
        var expectedVersion = MembershipRows.ParseVersion(tableVersion.VersionEtag, "table version");
        return _database.RunAsync($"insert membership row {entry.SiloAddress}", async (connection, _, ct) =>
        {
            await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            if (!await TryBumpVersionAsync(connection, transaction, expectedVersion, ct).ConfigureAwait(false))
            {
                return false;
            }

            await using var insert = new NpgsqlCommand(
                """
                INSERT INTO cluster_membership (cluster_id, address, port, generation, silo_name, host_name, role_name, status,
                    proxy_port, update_zone, fault_zone, suspect_times, start_time, i_am_alive_time, etag)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 0)
                ON CONFLICT DO NOTHING
                """, connection, transaction);
            MembershipRows.AddKey(insert, _clusterId, entry.SiloAddress);
            MembershipRows.AddData(insert, entry);
            if (await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 0)
            {
                await transaction.RollbackAsync(ct).ConfigureAwait(false);
                return false;
            }

            await transaction.CommitAsync(ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> UpdateRowAsync(MembershipEntry entry, string etag, TableVersion tableVersion, CancellationToken cancellationToken = default)
    {
        var expectedVersion = MembershipRows.ParseVersion(tableVersion.VersionEtag, "table version");
        var expectedRowEtag = MembershipRows.ParseVersion(etag, "row");
        return _database.RunAsync($"update membership row {entry.SiloAddress}", async (connection, _, ct) =>
        {
            await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            if (!await TryBumpVersionAsync(connection, transaction, expectedVersion, ct).ConfigureAwait(false))
            {
                return false;
            }

            await using var update = new NpgsqlCommand(
                """
                UPDATE cluster_membership SET silo_name = $5, host_name = $6, role_name = $7, status = $8, proxy_port = $9,
                    update_zone = $10, fault_zone = $11, suspect_times = $12, start_time = $13, i_am_alive_time = $14,
                    etag = etag + 1
                WHERE cluster_id = $1 AND address = $2 AND port = $3 AND generation = $4 AND etag = $15
                """, connection, transaction);
            MembershipRows.AddKey(update, _clusterId, entry.SiloAddress);
            MembershipRows.AddData(update, entry);
            update.Parameters.Add(new NpgsqlParameter { Value = expectedRowEtag });
            if (await update.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 0)
            {
                await transaction.RollbackAsync(ct).ConfigureAwait(false);
                return false;
            }

            await transaction.CommitAsync(ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task UpdateIAmAliveAsync(MembershipEntry entry, CancellationToken cancellationToken = default) =>
        _database.RunAsync($"update I-am-alive of {entry.SiloAddress}", async (connection, _, ct) =>
        {
            // A heartbeat changes neither the row ETag nor the table version, matching Orleans' other providers.
            await using var command = new NpgsqlCommand(
                "UPDATE cluster_membership SET i_am_alive_time = $5 WHERE cluster_id = $1 AND address = $2 AND port = $3 AND generation = $4",
                connection);
            MembershipRows.AddKey(command, _clusterId, entry.SiloAddress);
            command.Parameters.Add(new NpgsqlParameter { Value = MembershipRows.Utc(entry.IAmAliveTime) });
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken);

    // Orleans 10 calls the *Async overloads above; the original members stay abstract on the interface.
    /// <inheritdoc />
    public Task InitializeMembershipTable(bool tryInitTableVersion) => InitializeMembershipTableAsync(tryInitTableVersion);

    /// <inheritdoc />
    public Task DeleteMembershipTableEntries(string clusterId) => DeleteMembershipTableEntriesAsync(clusterId);

    /// <inheritdoc />
    public Task CleanupDefunctSiloEntries(DateTimeOffset beforeDate) => CleanupDefunctSiloEntriesAsync(beforeDate);

    /// <inheritdoc />
    public Task<MembershipTableData> ReadRow(SiloAddress key) => ReadRowAsync(key);

    /// <inheritdoc />
    public Task<MembershipTableData> ReadAll() => ReadAllAsync();

    /// <inheritdoc />
    public Task<bool> InsertRow(MembershipEntry entry, TableVersion tableVersion) => InsertRowAsync(entry, tableVersion);

    /// <inheritdoc />
    public Task<bool> UpdateRow(MembershipEntry entry, string etag, TableVersion tableVersion) => UpdateRowAsync(entry, etag, tableVersion);

    /// <inheritdoc />
    public Task UpdateIAmAlive(MembershipEntry entry) => UpdateIAmAliveAsync(entry);

    private async Task<MembershipTableData> ReadAsync(SiloAddress? silo, CancellationToken cancellationToken)
    {
        // One statement, so the version and the rows come from one snapshot.
        var sql = $"""
            SELECT v.version, {MembershipRows.Columns}
            FROM cluster_membership_version v
            LEFT JOIN cluster_membership m ON m.cluster_id = v.cluster_id
                {(silo is null ? "" : "AND m.address = $2 AND m.port = $3 AND m.generation = $4")}
            WHERE v.cluster_id = $1
            """;
        return await _database.RunAsync(silo is null ? "read membership" : $"read membership row {silo}", async (connection, _, ct) =>
        {
            await using var command = new NpgsqlCommand(sql, connection);
            if (silo is null)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = _clusterId });
            }
            else
            {
                MembershipRows.AddKey(command, _clusterId, silo);
            }

            var version = 0;
            var rows = new List<Tuple<MembershipEntry, string>>();
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                version = reader.GetInt32(0);
                if (!reader.IsDBNull(1))
                {
                    rows.Add(MembershipRows.Read(reader, 1));
                }
            }

            return new MembershipTableData(rows, new TableVersion(version, version.ToString(CultureInfo.InvariantCulture)));
        }, cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> TryBumpVersionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, int expectedVersion, CancellationToken ct)
    {
        // The row lock taken here serialises concurrent writers; a loser re-checks the predicate and matches nothing.
        await using var command = new NpgsqlCommand(
            "UPDATE cluster_membership_version SET version = version + 1, updated_at = now() WHERE cluster_id = $1 AND version = $2",
            connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = _clusterId });
        command.Parameters.Add(new NpgsqlParameter { Value = expectedVersion });
        if (await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1)
        {
            return true;
        }

        await transaction.RollbackAsync(ct).ConfigureAwait(false);
        return false;
    }
}
