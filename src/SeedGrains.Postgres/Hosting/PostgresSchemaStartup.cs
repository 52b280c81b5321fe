using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Runtime;

namespace SeedGrains.Postgres.Hosting;

/// <summary>
/// Migrates the database at the very start of the silo lifecycle, before membership, reminders or storage run, so
/// that a missing or unreachable database stops the silo at start-up with one clear error.
/// </summary>
internal sealed class PostgresSchemaStartup(string optionsName, IOptionsMonitor<PostgresOptions> options, PostgresDatabases databases)
    : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(PostgresSchemaStartup), ServiceLifecycleStage.RuntimeInitialize, async ct =>
        {
            var postgres = options.Get(optionsName);
            postgres.Validate("schema migration");
            await databases.Get(postgres).EnsureSchemaAsync(ct).ConfigureAwait(false);
        });
}
