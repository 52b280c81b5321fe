using Microsoft.Extensions.Logging;
using Npgsql;
using SeedGrains.Postgres.Migrations;

namespace SeedGrains.Postgres;

/// <summary>
/// One database as the providers see it: a pooled <see cref="NpgsqlDataSource"/>, a once-per-process schema check or
/// migration, and the rule for connection failures (drop the pool, retry once on a fresh connection).
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly bool _migrate;
    private readonly Lock _schemaLock = new();
    private Task? _schemaReady;

    internal PostgresDatabase(string connectionString, bool migrate, ILogger logger)
    {
        DataSource = NpgsqlDataSource.Create(connectionString);
        _migrate = migrate;
        _logger = logger;
    }

    /// <summary>The pooled data source every provider on this connection string shares.</summary>
    public NpgsqlDataSource DataSource { get; }

    /// <summary>
    /// Migrates (or, with migrations off, checks) the schema once per process. A failure is not cached: the next
    /// caller tries again, so a silo that starts while PostgreSQL is still coming up recovers.
    /// </summary>
    public Task EnsureSchemaAsync(CancellationToken cancellationToken = default)
    {
        lock (_schemaLock)
        {
            if (_schemaReady is null || _schemaReady.IsFaulted || _schemaReady.IsCanceled)
            {
                _schemaReady = PrepareSchemaAsync(cancellationToken);
            }

            return _schemaReady;
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> on a pooled connection. When the connection turns out to be dead (PostgreSQL
    /// restarted, connection terminated) the pool is cleared and the work runs once more on a fresh connection with
    /// <c>isRetry = true</c>, so the work can check whether its first attempt already took effect. Any other failure,
    /// or a second connection failure, propagates to Orleans, which retries membership and reminder operations on
    /// its own schedule and surfaces storage failures to the calling grain.
    /// </summary>
    public async Task<T> RunAsync<T>(string operation, Func<NpgsqlConnection, bool, CancellationToken, Task<T>> work, CancellationToken cancellationToken = default)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await RunOnceAsync(work, isRetry: false, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (ConnectionFailures.IsConnectionFailure(e) && !cancellationToken.IsCancellationRequested)
        {
            _logger.LogWarning(e, "PostgreSQL connection failed during {Operation}; clearing the pool and retrying once", operation);
            DataSource.Clear();
            return await RunOnceAsync(work, isRetry: true, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => DataSource.DisposeAsync();

    private async Task<T> RunOnceAsync<T>(Func<NpgsqlConnection, bool, CancellationToken, Task<T>> work, bool isRetry, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await work(connection, isRetry, cancellationToken).ConfigureAwait(false);
    }

    private async Task PrepareSchemaAsync(CancellationToken cancellationToken)
    {
        var migrator = new PostgresMigrator(DataSource, _logger);
        if (_migrate)
        {
            var applied = await migrator.MigrateAsync(cancellationToken).ConfigureAwait(false);
            if (_logger.IsEnabled(LogLevel.Information))
            {
                _logger.LogInformation("PostgreSQL schema at version {Version} ({Applied} migration(s) applied now)",
                    EmbeddedMigrations.LatestVersion, applied.Count);
            }

            return;
        }

        var version = await migrator.GetCurrentVersionAsync(cancellationToken).ConfigureAwait(false);
        if (version < EmbeddedMigrations.LatestVersion)
        {
            throw new InvalidOperationException(
                $"PostgreSQL schema is at version {version} but this build needs {EmbeddedMigrations.LatestVersion}; " +
                "run `seedgrains db migrate --connection <connection string>` (or enable Postgres:MigrateOnStartup).");
        }
    }
}
