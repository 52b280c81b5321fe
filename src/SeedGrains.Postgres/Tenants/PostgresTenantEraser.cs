using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;

namespace SeedGrains.Postgres.Tenants;

/// <summary>
/// Removes every row of one tenant from PostgreSQL, in one transaction: grain_state rows whose generated
/// <c>tenant</c> column names it (sessions and the per-tenant data grains, keyed <c>tenant/…</c>), the tenant grain's
/// own row (keyed by the bare id), the rows of the given API key hashes, reminders of all of those grains, and its refactor jobs with their files. Called
/// last when a tenant is deleted, after its grains have stopped writing; returns the number of rows removed.
/// </summary>
public sealed class PostgresTenantEraser(PostgresDatabases databases, IOptionsMonitor<PostgresOptions> options, IOptions<ClusterOptions> cluster)
{
    private const string DeleteState = """
        DELETE FROM grain_state
        WHERE service_id = $1 AND (tenant = $2 OR grain_id = $2 OR grain_id = ANY($3))
        """;

    // Reminder rows name the grain as "type/key": the key's first segment is the tenant for tenant/… keys and the bare id.
    private const string DeleteReminders = """
        DELETE FROM reminders
        WHERE service_id = $1 AND (split_part(grain_id, '/', 2) = $2 OR split_part(grain_id, '/', 2) = ANY($3))
        """;

    public async Task<int> Erase(string tenant, IReadOnlyCollection<string> keyHashes, CancellationToken cancellationToken = default)
    {
        var database = databases.Get(options.Get(PostgresOptionNames.TenantEraser));
        return await database.RunAsync($"erase rows of tenant {tenant}", async (connection, _, ct) =>
        {
            await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            var removed = 0;
            foreach (var sql in new[] { DeleteState, DeleteReminders })
            {
                await using var command = new NpgsqlCommand(sql, connection, transaction);
                command.Parameters.Add(new NpgsqlParameter { Value = cluster.Value.ServiceId });
                command.Parameters.Add(new NpgsqlParameter { Value = tenant });
                command.Parameters.Add(new NpgsqlParameter { Value = keyHashes.ToArray() });
                removed += await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            // Jobs (their files go with them, ON DELETE CASCADE).
            await using (var jobs = new NpgsqlCommand("DELETE FROM jobs WHERE service_id = $1 AND tenant = $2", connection, transaction))
            {
                jobs.Parameters.Add(new NpgsqlParameter { Value = cluster.Value.ServiceId });
                jobs.Parameters.Add(new NpgsqlParameter { Value = tenant });
                removed += await jobs.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            await transaction.CommitAsync(ct).ConfigureAwait(false);
            return removed;
        }, cancellationToken).ConfigureAwait(false);
    }
}
