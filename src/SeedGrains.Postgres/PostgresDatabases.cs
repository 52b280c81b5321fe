using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace SeedGrains.Postgres;

/// <summary>
/// One <see cref="PostgresDatabase"/> per connection string per process, so storage, membership and reminders on the
/// same database share a connection pool and migrate once. Registered as a DI singleton.
/// </summary>
public sealed class PostgresDatabases(ILoggerFactory loggerFactory) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<PostgresDatabase>> _databases = new(StringComparer.Ordinal);

    /// <summary>The shared database for <paramref name="options"/>' connection string.</summary>
    public PostgresDatabase Get(PostgresOptions options) => _databases.GetOrAdd(
        options.ConnectionString,
        cs => new Lazy<PostgresDatabase>(() => new PostgresDatabase(cs, options.MigrateOnStartup, loggerFactory.CreateLogger<PostgresDatabase>()))).Value;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var database in _databases.Values.Where(d => d.IsValueCreated))
        {
            await database.Value.DisposeAsync().ConfigureAwait(false);
        }

        _databases.Clear();
    }
}
