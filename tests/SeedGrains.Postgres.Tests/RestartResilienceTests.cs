using SeedGrains.Abstractions.Errors;
using Npgsql;
using Orleans;
using Orleans.Runtime;
using SeedGrains.Tests.Shared;

namespace SeedGrains.Postgres.Tests;

/// <summary>
/// A PostgreSQL restart kills every pooled connection. The providers must notice, drop the pool and carry on, so
/// the first operation after the restart does not fail.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class RestartResilienceTests(PostgresServerFixture postgres)
{
    [Fact]
    public async Task First_operations_after_a_restart_succeed()
    {
        var connectionString = await postgres.CreateDatabaseAsync("restart");
        await using var providers = new TestProviders(connectionString);
        var storage = providers.Storage();
        var membership = providers.Membership();
        var reminders = providers.Reminders();
        var grain = GrainId.Create("session", "acme/restart");
        var state = new GrainState<CounterState>(new CounterState { Count = 1 });
        await storage.WriteStateAsync("counter", grain, state);
        await membership.InitializeMembershipTableAsync(true);
        await reminders.StartAsync();
        // Several idle connections in the providers' pool, all of which the restart will kill.
        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Task.Run(() => membership.ReadAllAsync())));

        await using var plain = NpgsqlDataSource.Create(connectionString);
        await ScalarAsync(plain, "SELECT 1");

        await postgres.Server.RestartAsync();

        // Control: a plain Npgsql pool hands out its dead connection and the command fails.
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => ScalarAsync(plain, "SELECT 1"));

        state.State!.Count = 2;
        await storage.WriteStateAsync("counter", grain, state);
        var read = new GrainState<CounterState>();
        await storage.ReadStateAsync("counter", grain, read);
        Assert.Equal(2, read.State!.Count);
        Assert.Equal(state.ETag, read.ETag);
        Assert.Equal(0, (await membership.ReadAllAsync()).Version.Version);
        Assert.Empty((await reminders.ReadRows(0, 0)).Reminders);
    }

    [Fact]
    public async Task Operations_while_the_server_is_down_throw_and_recover_once_it_is_back()
    {
        var connectionString = await postgres.CreateDatabaseAsync("downtime");
        await using var providers = new TestProviders(connectionString);
        var storage = providers.Storage();
        var grain = GrainId.Create("session", "acme/down");
        var state = new GrainState<CounterState>(new CounterState { Count = 1 });
        await storage.WriteStateAsync("counter", grain, state);
        var etagBefore = state.ETag;

        await postgres.Server.StopAsync();
        try
        {
            state.State!.Count = 2;
            // Surfaced to the caller as "storage unavailable" (the API's 503), the driver's error inside; the ETag is unchanged.
            var error = await Assert.ThrowsAsync<StorageUnavailableException>(() => storage.WriteStateAsync("counter", grain, state));
            Assert.IsAssignableFrom<NpgsqlException>(error.InnerException);
            Assert.Equal(etagBefore, state.ETag);
        }
        finally
        {
            await postgres.Server.StartAgainAsync();
        }

        await storage.WriteStateAsync("counter", grain, state);
        var read = new GrainState<CounterState>();
        await storage.ReadStateAsync("counter", grain, read);
        Assert.Equal(2, read.State!.Count);
    }

    private static async Task<object?> ScalarAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        return await command.ExecuteScalarAsync();
    }
}
