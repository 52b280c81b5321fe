using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using SeedGrains.Tests.Shared;

namespace SeedGrains.Postgres.Tests;

/// <summary>
/// Two real silos (TCP on loopback) and a client, all clustered through PostgreSQL, grain state in PostgreSQL: the
/// silo hosting a grain is killed and the grain comes back on the other silo with its last written state.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class TwoSiloFailoverTests(PostgresServerFixture postgres)
{
    private const string ServiceId = "failover-test";

    [Fact]
    public async Task Grain_reactivates_on_the_surviving_silo_with_its_last_written_state()
    {
        var connectionString = await postgres.CreateDatabaseAsync("failover");
        var clusterId = "failover-" + Guid.NewGuid().ToString("N")[..8];
        var silos = new List<IHost>();
        IHost? client = null;
        try
        {
            // One silo wired with the connection string, the other from configuration key Postgres:ConnectionString.
            silos.Add(await StartSiloAsync(connectionString, clusterId, fromConfiguration: false));
            silos.Add(await StartSiloAsync(connectionString, clusterId, fromConfiguration: true));
            client = await StartClientAsync(connectionString, clusterId);
            var grains = client.Services.GetRequiredService<IClusterClient>();
            var counter = grains.GetGrain<ICounterGrain>("acme/session-1");

            Assert.Equal(1, await counter.Increment());
            Assert.Equal(2, await counter.Increment());
            Assert.Equal(3, await counter.Increment());
            var firstSilo = await counter.Silo();
            var hosting = silos.Single(s => SiloAddressOf(s) == firstSilo);
            var survivor = silos.Single(s => s != hosting);

            // Acknowledged means committed: the row is already there, with the tenant derived from the key.
            Assert.Equal("acme 3", await ScalarAsync<string>(connectionString,
                "SELECT tenant || ' ' || (state->>'Count') FROM grain_state WHERE grain_id = 'acme/session-1'"));

            await KillAsync(hosting);
            silos.Remove(hosting);

            var (count, secondSilo) = await RetryUntilAnsweredAsync(async () => (await counter.Get(), await counter.Silo()));
            Assert.Equal(3, count);
            Assert.Equal(SiloAddressOf(survivor), secondSilo);
            Assert.Equal(4, await counter.Increment());

            // The membership table saw the whole story: the killed silo is declared dead, the survivor is active.
            var statuses = await ScalarAsync<string>(connectionString,
                $"SELECT string_agg(status, ',' ORDER BY status) FROM cluster_membership WHERE cluster_id = '{clusterId}'");
            Assert.Equal("Active,Dead", statuses);
        }
        finally
        {
            if (client is not null)
            {
                await KillAsync(client);
            }

            foreach (var silo in silos)
            {
                await KillAsync(silo);
            }
        }
    }

    private static async Task<IHost> StartSiloAsync(string connectionString, string clusterId, bool fromConfiguration)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        if (fromConfiguration)
        {
            builder.Configuration["Postgres:ConnectionString"] = connectionString;
        }

        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = ServiceId;
            });
            silo.ConfigureEndpoints(IPAddress.Loopback, TestPorts.Next(), TestPorts.Next());
            if (fromConfiguration)
            {
                silo.UseSeedGrainsPostgres();
            }
            else
            {
                silo.UseSeedGrainsPostgres(connectionString);
            }

            // Fast failure detection so the test does not wait the production defaults.
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
                o.TableRefreshTimeout = TimeSpan.FromSeconds(1);
                o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(2);
            });
            silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(5));
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    [Fact]
    public void Missing_connection_string_in_configuration_is_a_clear_error()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var error = Assert.Throws<InvalidOperationException>(() => builder.UseOrleans(silo => silo.UseSeedGrainsPostgres()));
        Assert.Contains("Postgres:ConnectionString", error.Message, StringComparison.Ordinal);
    }

    private static async Task<IHost> StartClientAsync(string connectionString, string clusterId)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = ServiceId;
            });
            client.UsePostgresClustering(connectionString);
            client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(1));
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(5));
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    /// <summary>A crash as far as the cluster can tell: no graceful shutdown, no "I am leaving" in the membership table.</summary>
    private static async Task KillAsync(IHost host)
    {
        try
        {
            await host.StopAsync(new CancellationToken(canceled: true));
        }
        catch (OperationCanceledException)
        {
        }

        host.Dispose();
    }

    private static async Task<T> RetryUntilAnsweredAsync<T>(Func<Task<T>> call)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception) when (clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                // The cluster has not yet declared the killed silo dead; calls to it fail until it does. A poll with a
                // generous deadline: membership gives a test no signal to wait on.
                await Task.Delay(250);
            }
        }
    }

    private static string SiloAddressOf(IHost silo) => silo.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToString();

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
