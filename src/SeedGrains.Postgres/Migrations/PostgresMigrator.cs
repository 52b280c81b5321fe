using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace SeedGrains.Postgres.Migrations;

/// <summary>
/// Applies the versioned SQL scripts to a database. Safe to run from many silos at once: appliers serialise on a
/// session-level <c>pg_advisory_lock</c>, and each script runs in its own transaction together with its
/// <c>schema_migrations</c> row, so a script is either fully applied and recorded, or not at all.
/// </summary>
public sealed class PostgresMigrator
{
    /// <summary>Advisory lock key shared by every SeedGrains migrator ("SeedGrai" as ASCII).</summary>
    public const long AdvisoryLockKey = 0x5365_6564_4772_6169;

    private const string CreateMigrationsTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version    integer     PRIMARY KEY,
            name       text        NOT NULL,
            checksum   text        NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )
        """;

    private readonly NpgsqlDataSource _dataSource;
    private readonly IReadOnlyList<PostgresMigration> _migrations;
    private readonly ILogger _logger;

    /// <summary>A migrator for the embedded scripts.</summary>
    public PostgresMigrator(NpgsqlDataSource dataSource, ILogger? logger = null)
        : this(dataSource, EmbeddedMigrations.Migrations, logger)
    {
    }

    /// <summary>A migrator for an explicit list of scripts (tests, tools).</summary>
    public PostgresMigrator(NpgsqlDataSource dataSource, IEnumerable<PostgresMigration> migrations, ILogger? logger = null)
    {
        _dataSource = dataSource;
        _migrations = EmbeddedMigrations.Validate(migrations);
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Applies every script not yet recorded; returns the ones this call applied (empty when up to date).</summary>
    /// <exception cref="InvalidOperationException">An applied script's checksum differs from the shipped file.</exception>
    public async Task<IReadOnlyList<PostgresMigration>> MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, $"SELECT pg_advisory_lock({AdvisoryLockKey})", cancellationToken).ConfigureAwait(false);
        try
        {
            // Created under the lock: concurrent CREATE TABLE IF NOT EXISTS can still collide on the catalog.
            await ExecuteAsync(connection, CreateMigrationsTable, cancellationToken).ConfigureAwait(false);
            var applied = await ReadAppliedAsync(connection, cancellationToken).ConfigureAwait(false);
            var newlyApplied = new List<PostgresMigration>();
            foreach (var migration in _migrations)
            {
                if (applied.TryGetValue(migration.Version, out var checksum))
                {
                    if (!string.Equals(checksum, migration.Checksum, StringComparison.Ordinal))
                    {
                        throw new InvalidOperationException(
                            $"Migration '{migration.Name}' was applied with checksum {checksum}, but the shipped script has {migration.Checksum}. " +
                            "Applied migrations must never be edited; add a new NNNN_*.sql file instead.");
                    }

                    continue;
                }

                await ApplyAsync(connection, migration, cancellationToken).ConfigureAwait(false);
                newlyApplied.Add(migration);
            }

            return newlyApplied;
        }
        finally
        {
            // Not cancellable: the lock must be released before the connection goes back to the pool.
            await ExecuteAsync(connection, $"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>The highest applied version, or 0 when the database has never been migrated.</summary>
    public async Task<int> GetCurrentVersionAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT to_regclass('schema_migrations') IS NOT NULL", connection);
        if (!(bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
        {
            return 0;
        }

        command.CommandText = "SELECT coalesce(max(version), 0) FROM schema_migrations";
        return (int)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private async Task ApplyAsync(NpgsqlConnection connection, PostgresMigration migration, CancellationToken cancellationToken)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.LogInformation("Applying PostgreSQL migration {Migration}", migration.Name);
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using (var script = new NpgsqlCommand(migration.Sql, connection, transaction))
            {
                await script.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await using (var record = new NpgsqlCommand(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", connection, transaction))
            {
                record.Parameters.Add(new() { Value = migration.Version });
                record.Parameters.Add(new() { Value = migration.Name });
                record.Parameters.Add(new() { Value = migration.Checksum });
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e)
        {
            throw new InvalidOperationException($"Migration '{migration.Name}' failed: {e.MessageText} (SQLSTATE {e.SqlState}).", e);
        }
    }

    private static async Task<Dictionary<int, string>> ReadAppliedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var applied = new Dictionary<int, string>();
        await using var command = new NpgsqlCommand("SELECT version, checksum FROM schema_migrations", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            applied[reader.GetInt32(0)] = reader.GetString(1);
        }

        return applied;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
