using System.Net;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Messaging;
using Orleans.Runtime;

namespace SeedGrains.Postgres.Clustering;

/// <summary>
/// Client side of the membership table: the gateways are the Active silos with a non-zero proxy port. Never
/// migrates (a client should not run DDL); a missing schema surfaces as a clear error at connect time.
/// </summary>
public sealed class PostgresGatewayListProvider : IGatewayListProvider
{
    private readonly string _clusterId;
    private readonly PostgresDatabase _database;

    /// <summary>Creates the provider for the cluster in <paramref name="clusterOptions"/>.</summary>
    public PostgresGatewayListProvider(IOptionsMonitor<PostgresOptions> options, PostgresDatabases databases,
        IOptions<ClusterOptions> clusterOptions, IOptions<GatewayOptions> gatewayOptions)
    {
        var postgres = options.Get(PostgresOptionNames.Clustering) with { MigrateOnStartup = false };
        postgres.Validate("clustering (client)");
        _clusterId = clusterOptions.Value.ClusterId;
        _database = databases.Get(postgres);
        MaxStaleness = gatewayOptions.Value.GatewayListRefreshPeriod;
    }

    /// <inheritdoc />
    public TimeSpan MaxStaleness { get; }

    /// <inheritdoc />
    public bool IsUpdatable => true;

    /// <inheritdoc />
    public Task InitializeGatewayListProviderAsync(CancellationToken cancellationToken = default) => _database.EnsureSchemaAsync(cancellationToken);

    /// <inheritdoc />
    public Task InitializeGatewayListProvider() => InitializeGatewayListProviderAsync();

    /// <inheritdoc />
    public Task<IList<Uri>> GetGateways() => GetGatewaysAsync();

    /// <inheritdoc />
    public Task<IList<Uri>> GetGatewaysAsync(CancellationToken cancellationToken = default) =>
        _database.RunAsync<IList<Uri>>("read gateways", async (connection, _, ct) =>
        {
            await using var command = new NpgsqlCommand(
                "SELECT address, proxy_port, generation FROM cluster_membership WHERE cluster_id = $1 AND status = $2 AND proxy_port > 0",
                connection);
            command.Parameters.Add(new NpgsqlParameter { Value = _clusterId });
            command.Parameters.Add(new NpgsqlParameter { Value = nameof(SiloStatus.Active) });
            var gateways = new List<Uri>();
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                var gateway = SiloAddress.New(IPAddress.Parse(reader.GetString(0)), reader.GetInt32(1), reader.GetInt32(2));
                gateways.Add(gateway.ToGatewayUri());
            }

            return gateways;
        }, cancellationToken);
}
